using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace GoMicro.Messaging;

/// <summary>
/// The wire name of an event is its full protobuf name ("gomicro.events.v1.PaymentSucceeded"):
/// the AMQP type property and the routing key. Defined by the proto, never typed by hand.
/// </summary>
public static class EventTypes
{
    public static string NameOf<TEvent>() where TEvent : IMessage<TEvent>, new() => Descriptor<TEvent>().FullName;

    public static string NameOf(IMessage message) => message.Descriptor.FullName;

    private static MessageDescriptor Descriptor<TEvent>() where TEvent : IMessage<TEvent>, new() => new TEvent().Descriptor;
}
