namespace GoMicro.ServiceDefaults.Data;

public static class PostgresClock
{
    /// <summary>
    /// <paramref name="time"/> truncated to PostgreSQL's microsecond precision, so the value a
    /// handler returns is the value a later read returns (and keyset page tokens built from either agree).
    /// </summary>
    public static DateTimeOffset TruncateToPostgresPrecision(this DateTimeOffset time) =>
        time.AddTicks(-(time.Ticks % TimeSpan.TicksPerMicrosecond));

    /// <summary>Now, truncated to PostgreSQL's microsecond precision.</summary>
    public static DateTimeOffset GetUtcNowForPostgres(this TimeProvider clock) => clock.GetUtcNow().TruncateToPostgresPrecision();
}
