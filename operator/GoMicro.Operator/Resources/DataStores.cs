using GoMicro.Operator.Crd;
using k8s;
using k8s.Models;
using static GoMicro.Operator.Resources.PodParts;

namespace GoMicro.Operator.Resources;

/// <summary>
/// The stateful parts the shop runs itself (provider statefulset, the default): a PostgreSQL per
/// service that has a database, Redis and RabbitMQ, each a one-pod StatefulSet with a volume
/// and a headless Service. The volumes outlive the shop unless its dataRetention is Delete.
/// Stores other operators run are in Providers/StoreProviders.cs.
/// </summary>
internal static class DataStores
{
    public const string DataVolume = "data";

    /// <summary>The user (and group) the official postgres, redis and rabbitmq images run their server as.</summary>
    public const long OfficialImageUser = 999;

    public const int PostgresPort = 5432;
    public const int RedisPort = 6379;
    public const int AmqpPort = 5672;
    public const int ManagementPort = 15672;

    public static IEnumerable<IKubernetesObject<V1ObjectMeta>> Build(ShopNames names)
    {
        var spec = names.Shop.Spec;
        foreach (var service in Microservices.WithDatabase.Where(_ => spec.Postgres.Provider == PostgresProvider.StatefulSet))
        {
            var part = ShopSecrets.Database(service);
            var secret = names.Of(part);
            yield return StatefulSet(names, part, "database", spec.Postgres, new V1Container
            {
                Name = "postgres",
                Env =
                [
                    FromSecret("POSTGRES_USER", secret, ShopSecrets.UserKey),
                    FromSecret("POSTGRES_PASSWORD", secret, ShopSecrets.PasswordKey),
                    Env("POSTGRES_DB", service),
                    Env("PGDATA", "/var/lib/postgresql/data/pgdata"),
                ],
                Ports = [Port("postgres", PostgresPort)],
                ReadinessProbe = ExecProbe(5, "pg_isready", "-h", "127.0.0.1", "-U", ShopSecrets.DatabaseUser, "-d", service),
                LivenessProbe = ExecProbe(15, "pg_isready", "-h", "127.0.0.1", "-U", ShopSecrets.DatabaseUser, "-d", service),
            }, "/var/lib/postgresql/data", scratch: ["/var/run/postgresql", "/tmp"]);
            yield return HeadlessService(names, part, "database", ServicePort("postgres", PostgresPort, "postgresql"));
        }

        if (spec.Redis.Provider == RedisProvider.StatefulSet)
        {
            foreach (var redis in Redis(names))
            {
                yield return redis;
            }
        }
        if (spec.RabbitMq.Provider == RabbitMqProvider.StatefulSet)
        {
            foreach (var broker in RabbitMq(names))
            {
                yield return broker;
            }
        }
    }

    private static IEnumerable<IKubernetesObject<V1ObjectMeta>> Redis(ShopNames names)
    {
        var spec = names.Shop.Spec;
        yield return StatefulSet(names, ShopSecrets.Redis, "cache", spec.Redis, new V1Container
        {
            Name = "redis",
            Args = ["--appendonly", "yes", "--requirepass", "$(REDIS_PASSWORD)"],
            Env = [FromSecret("REDIS_PASSWORD", names.Of(ShopSecrets.Redis), ShopSecrets.PasswordKey)],
            Ports = [Port("redis", RedisPort)],
            ReadinessProbe = ExecProbe(5, "sh", "-c", "redis-cli --no-auth-warning -a \"$REDIS_PASSWORD\" ping | grep -q PONG"),
            LivenessProbe = ExecProbe(15, "sh", "-c", "redis-cli --no-auth-warning -a \"$REDIS_PASSWORD\" ping | grep -q PONG"),
        }, "/data", scratch: ["/tmp"]);
        yield return HeadlessService(names, ShopSecrets.Redis, "cache", ServicePort("redis", RedisPort, "redis"));
    }

    private static IEnumerable<IKubernetesObject<V1ObjectMeta>> RabbitMq(ShopNames names)
    {
        var spec = names.Shop.Spec;
        var broker = names.Of(ShopSecrets.RabbitMq);
        yield return StatefulSet(names, ShopSecrets.RabbitMq, "broker", spec.RabbitMq, new V1Container
        {
            Name = "rabbitmq",
            Env =
            [
                FromSecret("RABBITMQ_DEFAULT_USER", broker, ShopSecrets.UserKey),
                FromSecret("RABBITMQ_DEFAULT_PASS", broker, ShopSecrets.PasswordKey),
            ],
            Ports = [Port("amqp", AmqpPort), Port("management", ManagementPort)],
            // As the RabbitMQ cluster operator does: TCP on AMQP, not rabbitmq-diagnostics,
            // which boots an Erlang VM per probe and times out on a busy node.
            ReadinessProbe = TcpProbe("amqp", periodSeconds: 10, failureThreshold: 3),
            LivenessProbe = TcpProbe("amqp", periodSeconds: 30, failureThreshold: 6),
        }, "/var/lib/rabbitmq");
        yield return HeadlessService(names, ShopSecrets.RabbitMq, "broker", ServicePort("amqp", AmqpPort, "amqp"), ServicePort("management", ManagementPort, "http"));
    }

    /// <param name="scratch">
    /// Where the image writes outside its volume (the PostgreSQL socket and lock, temporary
    /// files): empty directories there let the root filesystem be read-only. Null for an image
    /// not known to run read-only: RabbitMQ's entrypoint and Erlang runtime are left a writable
    /// root (not verified on the image here, where none can run).
    /// </param>
    private static V1StatefulSet StatefulSet(ShopNames names, string part, string component, DataStoreSpec spec, V1Container container, string dataPath, string[]? scratch = null)
    {
        container.Image = spec.Image;
        // Started as their own user rather than as root (which the images would drop from),
        // with the volume group-owned through fsGroup: what Pod Security "restricted" admits.
        container.SecurityContext = new V1SecurityContext
        {
            AllowPrivilegeEscalation = false,
            Capabilities = new V1Capabilities { Drop = ["ALL"] },
            ReadOnlyRootFilesystem = scratch is null ? null : true,
        };
        container.ImagePullPolicy = names.PullPolicy;
        container.Resources = Requirements(spec.Resources);
        container.VolumeMounts = [new V1VolumeMount { Name = DataVolume, MountPath = dataPath },
            .. (scratch ?? []).Select((path, i) => new V1VolumeMount { Name = $"scratch-{i}", MountPath = path })];
        var retention = names.Shop.Spec.DataRetention.ToString();
        return new V1StatefulSet
        {
            ApiVersion = "apps/v1",
            Kind = "StatefulSet",
            Metadata = names.Metadata(part, component),
            Spec = new V1StatefulSetSpec
            {
                Replicas = 1,
                ServiceName = names.Of(part),
                Selector = new V1LabelSelector { MatchLabels = names.Selector(part) },
                PersistentVolumeClaimRetentionPolicy = new V1StatefulSetPersistentVolumeClaimRetentionPolicy { WhenDeleted = retention, WhenScaled = "Retain" },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = names.Labels(part, component) },
                    Spec = new V1PodSpec
                    {
                        AutomountServiceAccountToken = false,
                        SecurityContext = new V1PodSecurityContext
                        {
                            RunAsNonRoot = true,
                            RunAsUser = OfficialImageUser,
                            RunAsGroup = OfficialImageUser,
                            FsGroup = OfficialImageUser,
                            SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
                        },
                        Containers = [container],
                        Volumes = scratch is null ? null : [.. scratch.Select((_, i) => new V1Volume { Name = $"scratch-{i}", EmptyDir = new V1EmptyDirVolumeSource() })],
                    },
                },
                VolumeClaimTemplates =
                [
                    new V1PersistentVolumeClaim
                    {
                        Metadata = new V1ObjectMeta { Name = DataVolume, Labels = names.Labels(part, component) },
                        Spec = new V1PersistentVolumeClaimSpec
                        {
                            AccessModes = ["ReadWriteOnce"],
                            StorageClassName = string.IsNullOrEmpty(spec.StorageClassName) ? null : spec.StorageClassName,
                            Resources = new V1VolumeResourceRequirements
                            {
                                Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(spec.StorageSize) },
                            },
                        },
                    },
                ],
            },
        };
    }

    private static V1Service HeadlessService(ShopNames names, string part, string component, params V1ServicePort[] ports) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = names.Metadata(part, component),
        Spec = new V1ServiceSpec
        {
            ClusterIP = "None",
            PublishNotReadyAddresses = false,
            Selector = names.Selector(part),
            Ports = [.. ports],
        },
    };
}
