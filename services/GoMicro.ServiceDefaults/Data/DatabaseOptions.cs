namespace GoMicro.ServiceDefaults.Data;

/// <summary>Section "Database".</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>
    /// Apply pending EF Core migrations at start-up. On in development and in the containers;
    /// off where migrations are a separate release step. Safe with several replicas: they
    /// migrate one at a time under a PostgreSQL advisory lock (<see cref="StartupLock"/>).
    /// </summary>
    public bool MigrateOnStartup { get; set; }
}
