using System.Globalization;
using GoMicro.Operator.Crd;
using k8s;
using k8s.Models;
using static GoMicro.Operator.Resources.PodParts;

namespace GoMicro.Operator.Resources;

/// <summary>
/// Logical backups of the three databases when postgres.backup is set: per database a volume
/// (&lt;shop&gt;-&lt;service&gt;-db-backup) and a CronJob (named like the database's StatefulSet,
/// &lt;shop&gt;-&lt;service&gt;-db: a CronJob's name must leave room for its Jobs' suffix) that runs
/// <see cref="Script"/> on the database's own image, so pg_dump is the server's version. The
/// volumes carry no owner reference: like the databases' own, they outlive the shop unless
/// its dataRetention is Delete, and they stay when backups are turned off (they hold the dumps).
/// </summary>
internal static class PostgresBackups
{
    public const string Component = "backup";
    public const string Directory = "/backup";
    public const string ContainerName = "pg-dump";

    /// <summary>The label name of one database's backup pods and the part its volume is named after.</summary>
    public static string Part(string service) => ShopSecrets.Database(service) + "-backup";

    /// <summary>
    /// The backup, as POSIX sh; the one copy of it (a test runs this very text against a real
    /// PostgreSQL and restores what it wrote). libpq reads PGHOST, PGPORT, PGUSER, PGPASSWORD and
    /// PGDATABASE; BACKUP_DIR is where the dumps go and BACKUP_KEEP how many to keep. A dump is
    /// written under a temporary name, checked to be a readable archive (pg_restore --list),
    /// and only then renamed and counted, so a failed run never costs an older dump and leaves
    /// nothing behind.
    /// </summary>
    public const string Script = """
        set -eu
        umask 077
        stamp=$(date -u +%Y%m%dT%H%M%SZ)
        file="$BACKUP_DIR/$PGDATABASE-$stamp.dump"
        trap 'rm -f "$file.partial"' EXIT
        rm -f "$BACKUP_DIR"/*.partial
        pg_dump --format=custom --file="$file.partial"
        pg_restore --list "$file.partial" > /dev/null
        mv "$file.partial" "$file"
        echo "backup: wrote $file ($(wc -c < "$file") bytes)"
        ls -1 "$BACKUP_DIR" | grep -E "^$PGDATABASE-[0-9]{8}T[0-9]{6}Z[.]dump\$" | sort -r | tail -n +"$((BACKUP_KEEP + 1))" | while read -r old; do
          rm -f -- "$BACKUP_DIR/$old"
          echo "backup: deleted $old (keeping the newest $BACKUP_KEEP)"
        done
        """;

    /// <summary>
    /// Restores the dump BACKUP_FILE into the (empty) database PGDATABASE: what the README's
    /// restore procedure runs, and what the test restores with. Objects are owned by the
    /// restoring user, as in the dumped database.
    /// </summary>
    public const string RestoreCommand = "pg_restore --no-owner --no-privileges --exit-on-error --dbname=\"$PGDATABASE\" \"$BACKUP_FILE\"";

    public static IEnumerable<IKubernetesObject<V1ObjectMeta>> Build(ShopNames names)
    {
        // Only for the databases the shop runs itself (a CEL rule refuses backup with another provider).
        if (names.Shop.Spec.Postgres.Backup is not { } backup || names.Shop.Spec.Postgres.Provider != PostgresProvider.StatefulSet)
        {
            yield break;
        }
        foreach (var service in Microservices.WithDatabase)
        {
            yield return Volume(names, service, backup);
            yield return CronJob(names, service, backup);
        }
    }

    private static V1PersistentVolumeClaim Volume(ShopNames names, string service, PostgresBackupSpec backup) => new()
    {
        ApiVersion = "v1",
        Kind = "PersistentVolumeClaim",
        Metadata = new V1ObjectMeta
        {
            Name = names.Of(Part(service)),
            NamespaceProperty = names.Namespace,
            Labels = names.Labels(Part(service), Component),
        },
        Spec = new V1PersistentVolumeClaimSpec
        {
            AccessModes = ["ReadWriteOnce"],
            StorageClassName = string.IsNullOrEmpty(backup.StorageClassName) ? null : backup.StorageClassName,
            Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(backup.StorageSize) } },
        },
    };

    private static V1CronJob CronJob(ShopNames names, string service, PostgresBackupSpec backup)
    {
        var database = ShopSecrets.Database(service);
        var secret = names.Of(database);
        var metadata = names.Metadata(Part(service), Component);
        metadata.Name = names.Of(database);
        return new V1CronJob
        {
            ApiVersion = "batch/v1",
            Kind = "CronJob",
            Metadata = metadata,
            Spec = new V1CronJobSpec
            {
                Schedule = backup.Schedule,
                TimeZone = backup.TimeZone,
                ConcurrencyPolicy = "Forbid",
                // A run missed by less than an hour (the controller was down) still runs.
                StartingDeadlineSeconds = 3600,
                SuccessfulJobsHistoryLimit = 3,
                FailedJobsHistoryLimit = 3,
                JobTemplate = new V1JobTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = names.Labels(Part(service), Component) },
                    Spec = new V1JobSpec
                    {
                        BackoffLimit = 2,
                        // A dump that hangs must not hold back every later one (Forbid).
                        ActiveDeadlineSeconds = 4 * 3600,
                        Template = new V1PodTemplateSpec
                        {
                            Metadata = new V1ObjectMeta { Labels = names.Labels(Part(service), Component) },
                            Spec = new V1PodSpec
                            {
                                RestartPolicy = "Never",
                                AutomountServiceAccountToken = false,
                                SecurityContext = new V1PodSecurityContext
                                {
                                    RunAsNonRoot = true,
                                    RunAsUser = DataStores.OfficialImageUser,
                                    RunAsGroup = DataStores.OfficialImageUser,
                                    FsGroup = DataStores.OfficialImageUser,
                                    SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
                                },
                                Containers =
                                [
                                    new V1Container
                                    {
                                        Name = ContainerName,
                                        Image = names.Shop.Spec.Postgres.Image,
                                        ImagePullPolicy = names.PullPolicy,
                                        Command = ["sh", "-c", Script],
                                        Env =
                                        [
                                            Env("PGHOST", names.Of(database)),
                                            Env("PGPORT", DataStores.PostgresPort.ToString(CultureInfo.InvariantCulture)),
                                            FromSecret("PGUSER", secret, ShopSecrets.UserKey),
                                            FromSecret("PGPASSWORD", secret, ShopSecrets.PasswordKey),
                                            Env("PGDATABASE", service),
                                            Env("BACKUP_DIR", Directory),
                                            Env("BACKUP_KEEP", backup.Retention.ToString(CultureInfo.InvariantCulture)),
                                        ],
                                        Resources = Requirements(backup.Resources),
                                        SecurityContext = Restricted(),
                                        VolumeMounts =
                                        [
                                            new V1VolumeMount { Name = "backup", MountPath = Directory },
                                            new V1VolumeMount { Name = "tmp", MountPath = "/tmp" },
                                        ],
                                    },
                                ],
                                Volumes =
                                [
                                    new V1Volume { Name = "backup", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = names.Of(Part(service)) } },
                                    new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() },
                                ],
                            },
                        },
                    },
                },
            },
        };
    }
}
