using GoMicro.ServiceDefaults.Health;
using GoMicro.ServiceDefaults.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GoMicro.ServiceDefaults.Data;

public static class PostgresSetup
{
    public const string ConnectionStringKey = "ConnectionStrings:Postgres";

    /// <summary>
    /// The service's own PostgreSQL database: the DbContext, a readiness check that opens a
    /// connection, and migrations at start-up when Database:MigrateOnStartup is set.
    /// </summary>
    public static IHostApplicationBuilder AddPostgresDbContext<TContext>(this IHostApplicationBuilder builder)
        where TContext : DbContext
    {
        var connectionString = builder.Configuration.GetRequired(ConnectionStringKey);
        builder.Services.AddDbContext<TContext>(options => options.UseNpgsql(connectionString));
        builder.Services.AddHealthChecks().AddDbContextCheck<TContext>("postgres", tags: [HealthTags.Ready]);

        builder.Services.Configure<DatabaseOptions>(builder.Configuration.GetSection(DatabaseOptions.Section));
        builder.Services.AddHostedService<DatabaseMigrator<TContext>>();
        return builder;
    }
}
