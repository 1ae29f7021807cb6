namespace GoMicro.Messaging;

/// <summary>
/// The message being handled. Events written while handling it carry its correlation id, so
/// one checkout's events can be followed across services.
/// </summary>
public sealed record EventContext(Guid MessageId, string Type, string? CorrelationId, int Attempt)
{
    private static readonly AsyncLocal<EventContext?> CurrentContext = new();

    public static EventContext? Current
    {
        get => CurrentContext.Value;
        internal set => CurrentContext.Value = value;
    }
}
