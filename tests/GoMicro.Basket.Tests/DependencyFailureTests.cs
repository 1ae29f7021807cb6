using GoMicro.Basket.Infrastructure;
using GoMicro.Messaging;
using GoMicro.ServiceDefaults.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using StackExchange.Redis;

namespace GoMicro.Basket.Tests;

/// <summary>
/// What the error interceptor answers UNAVAILABLE (503) rather than INTERNAL: the connection
/// failures basket's own libraries contribute (Redis, RabbitMQ), recognised by type wherever
/// they sit in the exception chain. The Redis outage itself is in <see cref="OutageTests"/>.
/// </summary>
public sealed class DependencyFailureTests
{
    private static DependencyFailures AsBasketRegistersThem()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["ConnectionStrings:Redis"] = "127.0.0.1:1";
        builder.Configuration["RabbitMq:Uri"] = "amqp://guest:guest@127.0.0.1:1/";
        builder.AddRedis();
        builder.AddRabbitMqMessaging("basket");
        builder.Services.TryAddSingleton<DependencyFailures>();
        return builder.Services.BuildServiceProvider().GetRequiredService<DependencyFailures>();
    }

    [Fact]
    public void Redis_and_broker_connection_failures_are_a_dependency_being_down_wherever_they_are_in_the_chain()
    {
        var failures = AsBasketRegistersThem();

        Assert.True(failures.IsDependencyFailure(new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "no connection is active", null, CommandStatus.WaitingToBeSent)));
        Assert.True(failures.IsDependencyFailure(new InvalidOperationException("reading the basket", new RedisConnectionException(ConnectionFailureType.SocketClosed, CommandFlags.None, "closed", null, CommandStatus.Sent))));
        Assert.True(failures.IsDependencyFailure(new RedisTimeoutException(CommandFlags.None, "timed out", CommandStatus.Sent)));
        Assert.True(failures.IsDependencyFailure(new BrokerUnreachableException(new IOException("connection refused"))));
        Assert.True(failures.IsDependencyFailure(new AlreadyClosedException(new ShutdownEventArgs(ShutdownInitiator.Peer, 320, "CONNECTION_FORCED", new IOException("connection reset")))));
    }

    [Fact]
    public void A_bug_is_not_a_dependency_failure_and_an_unregistered_type_is_not_one_by_its_name()
    {
        Assert.False(AsBasketRegistersThem().IsDependencyFailure(new InvalidOperationException("a bug", new ArgumentException("bad"))));

        var nothingRegistered = new DependencyFailures([]);
        Assert.False(nothingRegistered.IsDependencyFailure(new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "no connection is active", null, CommandStatus.WaitingToBeSent)));
        Assert.True(nothingRegistered.IsDependencyFailure(new TimeoutException("every service's own")));
    }

    [Fact]
    public async Task Basket_fails_fast_on_Redis_by_default_and_the_connection_strings_own_timeouts_win()
    {
        var server = await GoMicro.Testing.TestDependencies.RedisAsync();

        var defaults = await MultiplexerOptionsAsync(server);
        Assert.Equal(500, defaults.AsyncTimeout);
        Assert.Equal(500, defaults.SyncTimeout);
        Assert.False(defaults.AbortOnConnectFail);

        var tuned = await MultiplexerOptionsAsync($"{server},asyncTimeout=2000,syncTimeout=1500,connectTimeout=4000");
        Assert.Equal(2000, tuned.AsyncTimeout);
        Assert.Equal(1500, tuned.SyncTimeout);
        Assert.Equal(4000, tuned.ConnectTimeout);
    }

    /// <summary>The options of the multiplexer basket builds from this connection string.</summary>
    private static async Task<ConfigurationOptions> MultiplexerOptionsAsync(string connectionString)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["ConnectionStrings:Redis"] = connectionString;
        builder.AddRedis();
        await using var services = builder.Services.BuildServiceProvider();
        return ConfigurationOptions.Parse(services.GetRequiredService<IConnectionMultiplexer>().Configuration);
    }
}
