namespace GoMicro.Messaging;

/// <summary>AMQP header names beyond the standard properties (message id, type, correlation id).</summary>
public static class MessageHeaders
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    /// <summary>How many times handling has failed so far (0 on first delivery).</summary>
    public const string Attempt = "x-gomicro-attempt";

    /// <summary>
    /// How many of those failures were unexpected (neither an unavailable dependency nor a
    /// permanent error): only these use up the retry delays, so a long outage before them does
    /// not leave a later bug without its retries.
    /// </summary>
    public const string UnexpectedFailures = "x-gomicro-unexpected-failures";

    /// <summary>Why the last attempt failed; kept on dead-lettered messages for the operator.</summary>
    public const string LastError = "x-gomicro-last-error";

    public const string ContentType = "application/x-protobuf";
}
