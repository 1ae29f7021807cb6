using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace GoMicro.ServiceDefaults.Hosting;

/// <summary>
/// Retries a start-up step (migrations, seeding) while its dependency is unreachable:
/// exponential back-off with jitter, for about two minutes, then fail the start.
/// </summary>
public static partial class StartupRetry
{
    public static async Task ExecuteAsync(Func<CancellationToken, Task> step, ILogger logger, CancellationToken cancellationToken)
    {
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(Grpc.ErrorInterceptor.IsDependencyFailure),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(500),
                MaxDelay = TimeSpan.FromSeconds(10),
                MaxRetryAttempts = 15,
                OnRetry = args =>
                {
                    LogWaiting(logger, args.AttemptNumber + 1, args.Outcome.Exception?.GetBaseException().Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        await pipeline.ExecuteAsync(async token => await step(token), cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Start-up step failed (attempt {Attempt}), dependency not reachable yet: {Reason}")]
    private static partial void LogWaiting(ILogger logger, int attempt, string? reason);
}
