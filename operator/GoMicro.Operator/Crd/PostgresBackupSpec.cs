using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace GoMicro.Operator.Crd;

/// <summary>
/// A CronJob per database that dumps it with pg_dump -Fc onto a volume of its own
/// (&lt;shop&gt;-&lt;service&gt;-db-backup), keeping the newest <see cref="Retention"/> dumps.
/// </summary>
public sealed class PostgresBackupSpec
{
    /// <summary>Five cron fields, or one of the macros CronJob accepts.</summary>
    public const string SchedulePattern = @"^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|(\S+\s+){4}\S+)$";

    [JsonPropertyName("schedule")]
    [Description("When to dump, in cron syntax (five fields, or @daily, @hourly, …), in timeZone.")]
    [MinLength(1), MaxLength(100), RegularExpression(SchedulePattern)]
    public string Schedule { get; set; } = "15 2 * * *";

    [JsonPropertyName("timeZone")]
    [Description("IANA time zone of the schedule.")]
    [MinLength(1), MaxLength(64)]
    public string TimeZone { get; set; } = "Etc/UTC";

    [JsonPropertyName("retention")]
    [Description("How many dumps of each database to keep; older ones are deleted after each successful dump.")]
    [Range(1, 365)]
    public int Retention { get; set; } = 7;

    [JsonPropertyName("storageSize")]
    [Description("Size of each database's backup volume: room for retention dumps and one more. Fixed once backups are on.")]
    [RegularExpression(Quantity.Pattern), Immutable]
    public string StorageSize { get; set; } = "5Gi";

    [JsonPropertyName("storageClassName")]
    [Description("Storage class of the backup volumes; the cluster's default when left out. Fixed once backups are on.")]
    [MaxLength(253), Immutable]
    public string? StorageClassName { get; set; }

    [JsonPropertyName("resources")]
    [Description("CPU and memory of each backup pod.")]
    public ResourcesSpec Resources { get; set; } = new() { Cpu = "50m", Memory = "256Mi" };
}
