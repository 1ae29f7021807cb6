using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace GoMicro.ServiceDefaults.Observability;

public static class LoggingSetup
{
    /// <summary>
    /// One JSON object per line on stdout. Serilog records the current Activity's trace and
    /// span ids on every event (@tr, @sp), so logs join traces. Request logging names the
    /// route and status only: no headers, bodies or query strings, hence no tokens or passwords.
    /// </summary>
    public static void AddJsonLogging(this IServiceCollection services, string serviceName)
    {
        services.AddSerilog((provider, logger) => logger
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Grpc", LogEventLevel.Warning)
            .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning)
            .MinimumLevel.Override("Polly", LogEventLevel.Warning)
            .ReadFrom.Services(provider)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("service", serviceName)
            .WriteTo.Console(new CompactJsonFormatter()));
    }
}
