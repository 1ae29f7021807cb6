namespace GoMicro.Messaging;

/// <summary>AMQP header names beyond the standard properties (message id, type, correlation id).</summary>
public static class MessageHeaders
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    /// <summary>How many times handling has failed so far (0 on first delivery).</summary>
    public const string Attempt = "x-gomicro-attempt";

    /// <summary>Why the last attempt failed; kept on dead-lettered messages for the operator.</summary>
    public const string LastError = "x-gomicro-last-error";

    public const string ContentType = "application/x-protobuf";
}
