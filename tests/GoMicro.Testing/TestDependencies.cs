using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Images;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;
using Testcontainers.Redis;

namespace GoMicro.Testing;

/// <summary>
/// Where the real servers are. Either the environment names them (scripts/deps.sh prints
/// these variables; scripts/test.sh sets them), or, with GOMICRO_TEST_CONTAINERS=1, one
/// container of each official image is started for the whole test run.
/// </summary>
public static class TestDependencies
{
    public const string PostgresVariable = "GOMICRO_TEST_POSTGRES";
    public const string RedisVariable = "GOMICRO_TEST_REDIS";
    public const string RabbitMqVariable = "GOMICRO_TEST_RABBITMQ";
    public const string RabbitMqManagementVariable = "GOMICRO_TEST_RABBITMQ_MANAGEMENT";
    public const string ContainersVariable = "GOMICRO_TEST_CONTAINERS";

    private const string HowToFix =
        "Run the tests with scripts/test.sh (it starts PostgreSQL, Redis and RabbitMQ on 127.0.0.1), " +
        "or start them with `eval \"$(scripts/deps.sh start)\"` before `dotnet test`, " +
        "or set " + ContainersVariable + "=1 where a Docker engine can run the official images.";

    private static readonly Lazy<Task<string>> PostgresContainer = new(StartPostgresAsync);
    private static readonly Lazy<Task<string>> RedisContainer = new(StartRedisAsync);
    private static readonly Lazy<Task<(string Amqp, string Management)>> RabbitMqContainer = new(StartRabbitMqAsync);

    // Images are built or pulled beforehand (PullPolicy.Never): tests never reach a registry.
    public static bool UseContainers => Environment.GetEnvironmentVariable(ContainersVariable) == "1";

    /// <summary>An Npgsql connection string of a role that may create databases.</summary>
    public static Task<string> PostgresAdminAsync() =>
        UseContainers ? PostgresContainer.Value : Task.FromResult(Required(PostgresVariable));

    /// <summary>A StackExchange.Redis configuration string.</summary>
    public static Task<string> RedisAsync() =>
        UseContainers ? RedisContainer.Value : Task.FromResult(Required(RedisVariable));

    /// <summary>The broker's AMQP URI (no vhost) and its management API base URL, both with credentials.</summary>
    public static async Task<(string Amqp, string Management)> RabbitMqAsync() =>
        UseContainers ? await RabbitMqContainer.Value : (Required(RabbitMqVariable), Required(RabbitMqManagementVariable));

    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set, so there is no real server to test against. {HowToFix}");

    private static async Task<string> StartPostgresAsync()
    {
        var container = (new PostgreSqlBuilder("postgres:15")
            .WithImagePullPolicy(PullPolicy.Never)
            .WithCommand("-c", "max_connections=300", "-c", "fsync=off")
            .Build());
        await container.StartAsync();
        return container.GetConnectionString();
    }

    private static async Task<string> StartRedisAsync()
    {
        var container = (new RedisBuilder("redis:7")
            .WithImagePullPolicy(PullPolicy.Never)
            .WithCommand("--databases", "64")
            .Build());
        await container.StartAsync();
        return container.GetConnectionString();
    }

    private static async Task<(string, string)> StartRabbitMqAsync()
    {
        const int management = 15672;
        var container = (new RabbitMqBuilder("rabbitmq:3-management")
            .WithImagePullPolicy(PullPolicy.Never)
            .WithUsername("gomicro")
            .WithPassword("gomicro")
            .WithPortBinding(management, true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(r => r.ForPort(management).ForPath("/api/overview").WithBasicAuthentication("gomicro", "gomicro")))
            .Build());
        await container.StartAsync();
        var amqp = new UriBuilder(container.GetConnectionString()) { Path = "/" }.Uri.ToString();
        return (amqp, $"http://gomicro:gomicro@{container.Hostname}:{container.GetMappedPublicPort(management)}/");
    }
}
