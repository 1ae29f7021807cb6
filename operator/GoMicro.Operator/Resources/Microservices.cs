using GoMicro.Operator.Crd;
using GoMicro.Operator.Resources.Providers;
using GoMicro.ServiceDefaults;
using GoMicro.ServiceDefaults.Auth;
using GoMicro.ServiceDefaults.Hosting;
using k8s;
using k8s.Models;
using static GoMicro.Operator.Resources.PodParts;

namespace GoMicro.Operator.Resources;

/// <summary>The four GoMicro services: a Deployment and a Service each, configured with DESIGN.md's variable names.</summary>
internal static class Microservices
{
    public const string Users = ServiceNames.Users;
    public const string Products = ServiceNames.Products;
    public const string Basket = ServiceNames.Basket;
    public const string Payments = ServiceNames.Payments;
    public const int HttpPort = ListenOptions.DefaultHttpPort;
    public const int GrpcPort = ListenOptions.DefaultGrpcPort;

    public static readonly string[] All = [Users, Products, Basket, Payments];

    public static readonly string[] WithDatabase = [Users, Products, Payments];

    /// <summary>Which services each service calls over gRPC (Services__{Name}__Grpc): the one table its configuration and the NetworkPolicies are built from.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> GrpcCalls = new Dictionary<string, string[]>
    {
        [Basket] = [Products],
        [Payments] = [Products, Basket],
    };

    /// <summary>The services that call <paramref name="service"/> over gRPC.</summary>
    public static string[] GrpcCallersOf(string service) => [.. GrpcCalls.Where(c => c.Value.Contains(service)).Select(c => c.Key).Order(StringComparer.Ordinal)];

    private const string JwtMount = "/var/run/secrets/gomicro/jwt";

    public static IEnumerable<IKubernetesObject<V1ObjectMeta>> Build(ShopNames names)
    {
        var spec = names.Shop.Spec.Services;
        foreach (var (service, serviceSpec) in new[] { (Users, spec.Users), (Products, spec.Products), (Basket, spec.Basket), (Payments, spec.Payments) })
        {
            yield return Deployment(names, service, serviceSpec);
            yield return Service(names, service);
        }
    }

    public static string GrpcAddress(ShopNames names, string service) => ListenOptions.GrpcAddress(names.Of(service));

    public static string JwksUrl(ShopNames names) => JwtOptions.JwksUrlAt(names.Of(Users));

    /// <summary>
    /// The share of the container's memory limit the .NET GC heap may take (hexadecimal, as the
    /// runtime reads its GC variables: 0x32 is 50 %). The rest is for what is not the managed heap
    /// (the loaded assemblies, JIT-compiled code, native buffers: 100 MB or more of a service's
    /// resident set, see BENCHMARKS.md); the runtime's own default, 75 %, leaves too little of a
    /// 256Mi pod for it, and the pod would be OOM-killed before the GC felt pressure.
    /// </summary>
    public const string GcHeapHardLimitPercent = "0x32";

    private static IEnumerable<V1EnvVar> Environment(ShopNames names, string service)
    {
        yield return Env("DOTNET_GCHeapHardLimitPercent", GcHeapHardLimitPercent);
        yield return Env("Jwt__Issuer", JwtOptions.DefaultIssuer);
        yield return Env("Jwt__Audience", JwtOptions.DefaultAudience);
        yield return Env("Jwt__JwksUrl", JwksUrl(names));
        if (WithDatabase.Contains(service))
        {
            foreach (var variable in StoreProviders.PostgresEnvironment(names, service))
            {
                yield return variable;
            }
            yield return Env("Database__MigrateOnStartup", "true");
        }
        if (service != Users)
        {
            yield return StoreProviders.RabbitMqUri(names);
        }
        switch (service)
        {
            case Users:
                yield return Env("Jwt__SigningKeyPath", $"{JwtMount}/{ShopSecrets.SigningKeyKey}");
                yield return FromSecret("Admin__Email", names.Of(ShopSecrets.Admin), ShopSecrets.EmailKey);
                yield return FromSecret("Admin__Password", names.Of(ShopSecrets.Admin), ShopSecrets.PasswordKey);
                break;
            case Products:
                yield return Env("Products__SeedSampleData", names.Shop.Spec.SeedSampleData ? "true" : "false");
                yield return PaymentsServiceKey(names);
                break;
            case Basket:
                yield return StoreProviders.RedisConfiguration(names);
                break;
            case Payments:
                yield return PaymentsServiceKey(names);
                break;
        }
        foreach (var callee in GrpcCalls.GetValueOrDefault(service, []))
        {
            // Services__Products__Grpc: the configuration section is the service's name, capitalised.
            yield return Env($"Services__{char.ToUpperInvariant(callee[0])}{callee[1..]}__Grpc", GrpcAddress(names, callee));
        }
    }

    private static V1EnvVar PaymentsServiceKey(ShopNames names) =>
        FromSecret("ServiceKeys__Payments", names.Of(ShopSecrets.ServiceKeys), ShopSecrets.PaymentsKeyKey);

    private static V1Deployment Deployment(ShopNames names, string service, ServiceSpec spec)
    {
        List<V1Volume> volumes = [new() { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() }];
        List<V1VolumeMount> mounts = [new() { Name = "tmp", MountPath = "/tmp" }];
        if (service == Users)
        {
            volumes.Add(new() { Name = "jwt", Secret = new V1SecretVolumeSource { SecretName = names.Of(ShopSecrets.Jwt) } });
            mounts.Add(new() { Name = "jwt", MountPath = JwtMount, ReadOnlyProperty = true });
        }
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = names.Metadata(service, "service"),
            Spec = new V1DeploymentSpec
            {
                Replicas = Availability.Replicas(spec.Replicas, spec.Autoscaling),
                Selector = new V1LabelSelector { MatchLabels = names.Selector(service) },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta
                    {
                        Labels = names.Labels(service, "service"),
                        Annotations = new Dictionary<string, string>
                        {
                            ["prometheus.io/scrape"] = "true",
                            ["prometheus.io/port"] = HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            ["prometheus.io/path"] = "/metrics",
                        },
                    },
                    Spec = new V1PodSpec
                    {
                        AutomountServiceAccountToken = false,
                        SecurityContext = new V1PodSecurityContext { RunAsNonRoot = true, SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" } },
                        Containers =
                        [
                            new V1Container
                            {
                                Name = service,
                                Image = names.Image(service, spec),
                                ImagePullPolicy = names.PullPolicy,
                                Ports = [Port("http", HttpPort), Port("grpc", GrpcPort)],
                                Env = [.. Environment(names, service)],
                                Resources = Requirements(spec.Resources),
                                StartupProbe = HttpProbe("/healthz/live", "http", periodSeconds: 2, failureThreshold: 60),
                                LivenessProbe = HttpProbe("/healthz/live", "http"),
                                ReadinessProbe = HttpProbe("/healthz/ready", "http", periodSeconds: 5),
                                SecurityContext = Restricted(),
                                VolumeMounts = mounts,
                            },
                        ],
                        InitContainers = WithDatabase.Contains(service) && StoreProviders.DatabaseHost(names, service) is { } host ? [WaitForDatabase(names, service, host)] : null,
                        Volumes = volumes,
                        TopologySpreadConstraints = Availability.SpreadAcrossNodes(names, service),
                    },
                },
            },
        };
    }

    /// <summary>
    /// The service migrates its database at start-up and exits when it cannot. On a fresh
    /// cluster the database's image may still be downloading well past any startup probe, so
    /// the pod waits here, on the database's own image, instead of crash-looping. pg_isready
    /// over TCP only succeeds once the official image has finished its socket-only first
    /// initialisation, by which time the database exists. For a CloudNativePG Cluster the host is
    /// its read-write Service, which answers once a primary runs.
    /// </summary>
    private static V1Container WaitForDatabase(ShopNames names, string service, string host) => new()
    {
        Name = "wait-for-database",
        Image = names.Shop.Spec.Postgres.Image,
        ImagePullPolicy = names.PullPolicy,
        Command = ["sh", "-c", "until pg_isready -q -t 2 -h \"$DATABASE_HOST\" -p \"$DATABASE_PORT\" -U \"$DATABASE_USER\" -d \"$DATABASE_NAME\"; do sleep 2; done"],
        Env =
        [
            Env("DATABASE_HOST", host),
            Env("DATABASE_PORT", DataStores.PostgresPort.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Env("DATABASE_USER", ShopSecrets.DatabaseUser),
            Env("DATABASE_NAME", service),
        ],
        Resources = new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m"), ["memory"] = new("32Mi") },
            Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("32Mi") },
        },
        SecurityContext = WithUser(Restricted(), DataStores.OfficialImageUser),
    };

    private static V1SecurityContext WithUser(V1SecurityContext context, long user)
    {
        context.RunAsUser = user;
        context.RunAsGroup = user;
        return context;
    }

    private static V1Service Service(ShopNames names, string service) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = names.Metadata(service, "service"),
        Spec = new V1ServiceSpec
        {
            Selector = names.Selector(service),
            Ports = [ServicePort("http", HttpPort, "http"), ServicePort("grpc", GrpcPort, "kubernetes.io/h2c")],
        },
    };
}
