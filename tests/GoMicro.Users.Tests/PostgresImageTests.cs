using System.Text;
using Docker.DotNet;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Images;
using GoMicro.Testing;
using Npgsql;

namespace GoMicro.Users.Tests;

/// <summary>
/// The postgres:15 image the way docker-compose.yml runs users-db: its environment (a
/// POSTGRES_DB that is not "postgres") and its health check, executed inside the container.
/// Needs a Docker engine (GOMICRO_TEST_CONTAINERS=1): scripts/images.sh builds the stand-in
/// image (tests/containers/postgres) under the official name and runs this class; the same
/// test holds for the official image.
/// </summary>
public sealed class PostgresImageTests
{
    private const string Service = "users-db";
    private const string InitMarker = "/tmp/gomicro-initdb-running";

    [Fact]
    public async Task Compose_users_db_creates_its_database_for_its_user_and_is_healthy_only_after_initialisation()
    {
        Assert.SkipUnless(TestDependencies.UseContainers,
            $"needs a Docker engine with the postgres:15 image: set {TestDependencies.ContainersVariable}=1 (scripts/images.sh builds the stand-in and runs this class)");
        var cancel = TestContext.Current.CancellationToken;
        var compose = ComposeFile.Load();
        var environment = compose.Environment(Service).ToDictionary(e => e.Key, e => ComposeFile.Interpolate(e.Value));
        var user = environment.GetValueOrDefault("POSTGRES_USER", "postgres");
        var database = environment.GetValueOrDefault("POSTGRES_DB", user);
        Assert.NotEqual("postgres", database);
        var declared = compose.HealthcheckCommand(Service);
        Assert.NotNull(declared);
        List<string> healthcheck = [.. declared];

        // An init script that holds initialisation open (database created, init server up) for a
        // few seconds, so the test can look at the container in that state.
        var slowInit = Encoding.UTF8.GetBytes($"touch {InitMarker}\nsleep 6\nrm -f {InitMarker}\n");
        var builder = new ContainerBuilder("postgres:15")
            .WithImagePullPolicy(PullPolicy.Never)
            .WithResourceMapping(slowInit, "/docker-entrypoint-initdb.d/50-slow.sh")
            .WithPortBinding(5432, true);
        foreach (var (key, value) in environment)
        {
            builder = builder.WithEnvironment(key, value);
        }
        await using var container = builder.Build();
        await container.StartAsync(cancel);

        // During initialisation: the server answers on its Unix socket (where the old
        // `pg_isready -U gomicro` looked, and passed) but the compose health check fails.
        await UntilAsync(async () => (await container.ExecAsync(["test", "-e", InitMarker], cancel)).ExitCode == 0,
            TimeSpan.FromSeconds(60), "initialisation never reached the init scripts", container);
        var socket = await container.ExecAsync(["pg_isready", "-U", user], cancel);
        var early = await container.ExecAsync(healthcheck, cancel);
        var stillInitialising = (await container.ExecAsync(["test", "-e", InitMarker], cancel)).ExitCode == 0;
        Assert.True(stillInitialising, "the init script finished before the checks ran; lengthen its sleep");
        Assert.Equal(0, socket.ExitCode);
        Assert.True(early.ExitCode != 0, $"the health check passed during initialisation: {early.Stdout}{early.Stderr}");

        // Afterwards it passes, and by then the database exists, owned by the user, over TCP.
        await UntilAsync(async () => (await container.ExecAsync(healthcheck, cancel)).ExitCode == 0,
            TimeSpan.FromSeconds(60), "the compose health check never passed", container);
        Assert.NotEqual(0, (await container.ExecAsync(["test", "-e", InitMarker], cancel)).ExitCode);

        var connection = new NpgsqlConnectionStringBuilder
        {
            Host = container.Hostname,
            Port = container.GetMappedPublicPort(5432),
            Database = database,
            Username = user,
            Password = environment["POSTGRES_PASSWORD"],
            Pooling = false,
        }.ConnectionString;
        await using (var db = new NpgsqlConnection(connection))
        {
            await db.OpenAsync(cancel);
            await using var query = new NpgsqlCommand("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()", db);
            Assert.Equal(user, await query.ExecuteScalarAsync(cancel));
        }

        // pg_isready alone cannot see a missing database (it answers "accepting connections");
        // the health check must fail without it.
        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connection) { Database = "postgres" }.ConnectionString))
        {
            await admin.OpenAsync(cancel);
            await using var drop = new NpgsqlCommand($"DROP DATABASE \"{database}\"", admin);
            await drop.ExecuteNonQueryAsync(cancel);
        }
        var missing = await container.ExecAsync(healthcheck, cancel);
        Assert.True(missing.ExitCode != 0, $"the health check passed although database {database} does not exist: {missing.Stdout}");
    }

    /// <summary>Waits for <paramref name="condition"/>; fails with the container's log when it times out or the container is gone.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure, IContainer container)
    {
        var failed = false;
        try
        {
            await GoMicro.Testing.Eventually.UntilAsync(async () =>
            {
                try
                {
                    return await condition();
                }
                catch (DockerApiException)
                {
                    return failed = true; // the container is gone: exec is refused
                }
            }, (int)timeout.TotalSeconds, failure);
        }
        catch (TimeoutException)
        {
            failed = true;
        }
        if (failed)
        {
            var (stdout, stderr) = await container.GetLogsAsync();
            Assert.Fail($"{failure}. The container's log:\n{stdout}{stderr}");
        }
    }
}
