using System.Net.Sockets;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Polly.CircuitBreaker;
using Polly.Timeout;
using RabbitMQ.Client.Exceptions;

namespace GoMicro.Messaging.Consuming;

/// <summary>How a handler's failure is treated.</summary>
public enum FailureKind
{
    /// <summary>A dependency is unavailable (database, Redis, broker, another service, a provider, a timeout, a serialization failure or deadlock): retried for as long as it lasts, never dead-lettered.</summary>
    Transient,

    /// <summary>Can never succeed (unparseable, unknown type, the handler's own validation error): dead-lettered at once.</summary>
    Permanent,

    /// <summary>Anything else, a bug most likely: retried through the delays, then dead-lettered for replay after a fix.</summary>
    Unknown,
}

/// <summary>Thrown by a handler for a message it can never handle (its content is invalid); the message is dead-lettered at once.</summary>
public sealed class PermanentEventException(string message) : Exception(message);

/// <summary>
/// Tells transient failures from permanent ones by looking through the whole exception chain.
/// Services add their own transient types (Redis, a payment provider) with
/// <see cref="MessagingBuilder.TreatAsTransient{TException}"/>.
/// </summary>
public sealed class FailureClassifier(IEnumerable<TransientException> extra)
{
    private readonly Type[] _extra = [.. extra.Select(e => e.Type)];

    public FailureKind Classify(Exception exception)
    {
        var unknown = false;
        foreach (var ex in Chain(exception))
        {
            switch (ex)
            {
                case InvalidProtocolBufferException or PermanentEventException:
                    return FailureKind.Permanent;
                case PostgresException postgres when IsDataError(postgres.SqlState):
                    unknown = true; // a constraint or data error: a bug or a bad message, not an outage
                    break;
                case NpgsqlException or DbUpdateConcurrencyException or TimeoutException or TimeoutRejectedException
                    or BrokenCircuitException or SocketException or IOException or HttpRequestException
                    or OperationInterruptedException or BrokerUnreachableException or AlreadyClosedException:
                    return unknown ? FailureKind.Unknown : FailureKind.Transient;
                case RpcException rpc when rpc.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded
                    or StatusCode.ResourceExhausted or StatusCode.Aborted or StatusCode.Cancelled:
                    return FailureKind.Transient;
                case OperationCanceledException:
                    return FailureKind.Transient; // a timeout inside the handler
            }
            if (_extra.Any(t => t.IsInstanceOfType(ex)))
            {
                return FailureKind.Transient;
            }
        }
        return FailureKind.Unknown;
    }

    // Class 22 (data exception) and 23 (integrity constraint violation) will fail the same way
    // every time; 40001 (serialization), 40P01 (deadlock), 25006 (read-only during failover),
    // 57P01 (shutdown), 08xxx (connection) and the rest are worth waiting out.
    private static bool IsDataError(string sqlState) => sqlState.StartsWith("22", StringComparison.Ordinal) || sqlState.StartsWith("23", StringComparison.Ordinal);

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        var pending = new Stack<Exception>([exception]);
        while (pending.TryPop(out var ex))
        {
            yield return ex;
            if (ex is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    pending.Push(inner);
                }
            }
            else if (ex.InnerException is { } inner)
            {
                pending.Push(inner);
            }
        }
    }
}

/// <summary>An exception type a service registered as transient.</summary>
public sealed record TransientException(Type Type);
