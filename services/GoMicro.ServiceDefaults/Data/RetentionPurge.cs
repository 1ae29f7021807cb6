using System.Globalization;
using GoMicro.ServiceDefaults.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace GoMicro.ServiceDefaults.Data;

/// <summary>
/// Rows of <see cref="Table"/> older than their retention (column <see cref="TimestampColumn"/>,
/// and only where <see cref="Condition"/> holds) are deleted. The retention is
/// Retention:&lt;Name&gt; (for example Retention__Outbox=7.00:00:00), else <see cref="DefaultKeep"/>.
/// Table and columns are the service's own constants, never input.
/// </summary>
public sealed record RetentionRule(string Name, string Table, string TimestampColumn, string? Condition, TimeSpan DefaultKeep);

public static class RetentionSetup
{
    /// <summary>Purges <paramref name="rule"/>'s rows from TContext's database, in batches, every Retention:Interval (1 hour).</summary>
    public static IServiceCollection AddRetentionRule<TContext>(this IServiceCollection services, RetentionRule rule) where TContext : DbContext
    {
        services.AddSingleton(new RetentionRuleFor<TContext>(rule));
        services.AddHostedService<RetentionPurge<TContext>>();
        return services;
    }
}

public sealed record RetentionRuleFor<TContext>(RetentionRule Rule) where TContext : DbContext;

/// <summary>
/// Keeps the service's bookkeeping tables (outbox, inbox, throttles) from growing for ever:
/// batches of at most Retention:BatchSize rows, each its own short statement, so a purge never
/// holds locks long or competes with requests for long. Several replicas may purge at once:
/// they delete different batches or nothing.
/// </summary>
internal sealed class RetentionPurge<TContext>(
    IServiceScopeFactory scopes, IEnumerable<RetentionRuleFor<TContext>> rules, IConfiguration configuration, TimeProvider clock, ILogger<RetentionPurge<TContext>> logger)
    : PollingWorker(clock, logger) where TContext : DbContext
{
    private static readonly Counter Purged = Metrics.CreateCounter("gomicro_retention_purged_total", "Rows deleted by the retention purge, by table.", "table");

    protected override TimeSpan Interval => configuration.GetValue("Retention:Interval", TimeSpan.FromHours(1));

    protected override TimeSpan MaxBackoff => TimeSpan.FromMinutes(1);

    private int BatchSize => configuration.GetValue("Retention:BatchSize", 1000);

    protected override async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        await PurgeAsync(cancellationToken);
        return false;
    }

    internal async Task PurgeAsync(CancellationToken cancellationToken)
    {
        foreach (var rule in rules.Select(r => r.Rule))
        {
            var keep = configuration.GetValue($"Retention:{rule.Name}", rule.DefaultKeep);
            var cutoff = Clock.GetUtcNow() - keep;
            var condition = rule.Condition is null ? "" : $" AND ({rule.Condition})";
            var sql = $"DELETE FROM {rule.Table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM {rule.Table} WHERE {rule.TimestampColumn} < {{0}}{condition} LIMIT {BatchSize.ToString(CultureInfo.InvariantCulture)}))";
            int deleted;
            do
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TContext>();
                deleted = await db.Database.ExecuteSqlRawAsync(sql, [cutoff], cancellationToken);
                Purged.WithLabels(rule.Table).Inc(deleted);
            }
            while (deleted == BatchSize && !cancellationToken.IsCancellationRequested);
        }
    }
}
