using System.Diagnostics;

namespace GoMicro.Messaging;

internal static class MessagingTracing
{
    /// <summary>
    /// A span that continues the trace of <paramref name="traceParent"/>. When the sampler
    /// drops it (the caller's trace is not sampled), an unrecorded activity still carries the
    /// trace id on, as ASP.NET Core does for requests, so events written by the handler stay
    /// in the caller's trace.
    /// </summary>
    public static Activity? StartContinuing(ActivitySource source, string name, ActivityKind kind, string? traceParent) =>
        source.StartActivity(name, kind, traceParent)
        ?? (traceParent is null ? null : new Activity(name).SetParentId(traceParent).Start());
}
