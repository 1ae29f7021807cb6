namespace GoMicro.ServiceDefaults.Data;

public static class PostgresClock
{
    /// <summary>
    /// Now, truncated to PostgreSQL's microsecond precision, so the value a handler returns is
    /// the value a later read returns (and keyset page tokens built from either agree).
    /// </summary>
    public static DateTimeOffset GetUtcNowForPostgres(this TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}
