namespace GoMicro.ServiceDefaults.Data;

/// <summary>Section "Database".</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>
    /// Apply pending EF Core migrations at start-up. On in development and in the containers;
    /// off where migrations are a separate release step. Safe with several replicas: EF Core
    /// serialises concurrent migrators with a database lock.
    /// </summary>
    public bool MigrateOnStartup { get; set; }
}
