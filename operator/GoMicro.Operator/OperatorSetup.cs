using GoMicro.Operator.Controller;
using GoMicro.ServiceDefaults.Hosting;
using GoMicro.ServiceDefaults.Observability;
using k8s;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Prometheus;

namespace GoMicro.Operator;

internal static class OperatorSetup
{
    private const string ReadyTag = "ready";

    public static WebApplicationBuilder AddOperator(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureListenPorts(grpc: false);
        builder.Services.AddJsonLogging("operator");
        builder.Services.AddSingleton<ControllerReadiness>();
        builder.Services.AddHealthChecks().AddCheck<ControllerReadiness>("controller", tags: [ReadyTag]);
        builder.Services.AddOptions<OperatorOptions>().BindConfiguration(OperatorOptions.Section);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IKubernetes>(provider => new Kubernetes(ClientConfiguration(provider.GetRequiredService<IOptions<OperatorOptions>>().Value)));
        builder.Services.AddSingleton(provider =>
        {
            var o = provider.GetRequiredService<IOptions<OperatorOptions>>().Value;
            return new OperatorIdentity(
                o.Identity ?? Environment.GetEnvironmentVariable("HOSTNAME") ?? Environment.MachineName,
                o.LeaseNamespace ?? Environment.GetEnvironmentVariable("POD_NAMESPACE") ?? "default");
        });
        builder.Services.AddSingleton<EventRecorder>();
        builder.Services.AddSingleton<ShopReconciler>();
        builder.Services.AddHostedService<LeaderElectedController>();
        return builder;
    }

    public static WebApplication MapOperatorEndpoints(this WebApplication app)
    {
        // Live: the process answers. Ready: it reconciles, or stands by for a leader that does.
        app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        // Every family on /metrics from the first scrape, before the first watch event or failure
        // touches the class: the alert rules name them.
        OperatorMetrics.Declare();
        app.MapMetrics();
        return app;
    }

    private static KubernetesClientConfiguration ClientConfiguration(OperatorOptions options) =>
        options.KubernetesHost is { Length: > 0 } host ? new KubernetesClientConfiguration { Host = host }
        : KubernetesClientConfiguration.IsInCluster() ? KubernetesClientConfiguration.InClusterConfig()
        : KubernetesClientConfiguration.BuildConfigFromConfigFile();
}
