using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;

namespace GoMicro.ServiceDefaults.Grpc;

/// <summary>
/// Tells a dependency that is down (a database, cache or broker connection failing, anywhere in
/// the exception chain) from a bug. What every service has is known here: a transient database
/// error, a socket error, a timeout. The libraries a service adds contribute their own
/// connection-failure types with <see cref="DependencyFailureRegistration.AddDependencyFailure{TException}"/>
/// (Redis in basket, RabbitMQ in messaging), so ServiceDefaults references neither.
/// </summary>
public sealed class DependencyFailures(IEnumerable<DependencyFailureType> registered)
{
    private readonly Type[] _types = [.. registered.Select(r => r.Type).Distinct()];

    public bool IsDependencyFailure(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (IsCommon(e) || _types.Any(t => t.IsInstanceOfType(e)))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Only the failures every service has (database, sockets, timeouts): for start-up steps, which run before any other dependency is used.</summary>
    public static bool IsCommonDependencyFailure(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (IsCommon(e))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsCommon(Exception e) => e is DbException { IsTransient: true } or SocketException or TimeoutException;
}

/// <summary>An exception type that means a dependency is unavailable (answered UNAVAILABLE, 503).</summary>
public sealed record DependencyFailureType(Type Type);

public static class DependencyFailureRegistration
{
    /// <summary>A <typeparamref name="TException"/> thrown by a handler means a dependency is down: UNAVAILABLE (503), not INTERNAL.</summary>
    public static IServiceCollection AddDependencyFailure<TException>(this IServiceCollection services) where TException : Exception
    {
        services.AddSingleton(new DependencyFailureType(typeof(TException)));
        return services;
    }
}
