using System.Collections.Concurrent;
using System.Diagnostics;

namespace GoMicro.Testing;

/// <summary>
/// Tells a test that a consumer hosted in this process has finished with a message: handled
/// it, found it a duplicate, or failed. The message carries a trace of its own
/// (<see cref="NewTraceParent"/>, published with <see cref="EventProbe.PublishAsync"/>); the
/// consumer's processing span is its child and ends after the ack. This is the marker that
/// proves a redelivery was processed, where nothing in the state changes to wait for (a
/// duplicate that is rightly ignored), instead of sleeping and hoping it came in time.
/// </summary>
public static class ConsumedMessages
{
    private const string Source = "GoMicro.Messaging";

    // Consumer spans ended, by their parent: the span id of the traceparent a message carried
    // (events a handler publishes continue the trace, but from the handler's span, so their
    // consumers are not counted as the original message).
    private static readonly ConcurrentDictionary<ActivitySpanId, int> Finished = new();

    // Samples every span of the messaging library in this process, so the consumer's span exists
    // even where no exporter would record it; registered before the first trace is handed out.
    private static readonly ActivityListener Listener = Listen();

    /// <summary>A fresh W3C traceparent for one message (or for every copy of one message).</summary>
    public static string NewTraceParent()
    {
        GC.KeepAlive(Listener);
        return $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01";
    }

    /// <summary>Waits until consumers have finished <paramref name="deliveries"/> deliveries carrying <paramref name="traceParent"/>.</summary>
    public static Task WaitForAsync(string traceParent, int deliveries = 1, int seconds = 30)
    {
        var parent = ActivitySpanId.CreateFromString(traceParent.AsSpan(36, 16));
        return Eventually.UntilAsync(() => Task.FromResult(Finished.GetValueOrDefault(parent) >= deliveries), seconds,
            $"{deliveries} deliveries of the message with traceparent {traceParent} processed");
    }

    private static ActivityListener Listen()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == Source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Kind == ActivityKind.Consumer)
                {
                    Finished.AddOrUpdate(activity.ParentSpanId, 1, (_, count) => count + 1);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
