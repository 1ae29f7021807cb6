using System.Diagnostics;

namespace GoMicro.LoadGen;

/// <summary>N shoppers, each starting its next step as soon as the last one answered.</summary>
public static class ClosedLoop
{
    public static Task RunAsync(IReadOnlyList<ShopperSession> sessions, string scenario, RequestBudget budget, CancellationToken stop) =>
        Task.WhenAll(sessions.Select(async session =>
        {
            var requests = ShopperSession.RequestsPerStep(scenario);
            while (!stop.IsCancellationRequested && budget.TryTake(requests))
            {
                await session.StepAsync(scenario, Stopwatch.GetTimestamp());
            }
        }));
}
