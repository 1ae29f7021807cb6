using System.Diagnostics;
using System.Text.RegularExpressions;
using GoMicro.Operator.Resources;
using GoMicro.Testing;
using Npgsql;

namespace GoMicro.Operator.Tests;

/// <summary>
/// The backup CronJob's very script (<see cref="PostgresBackups.Script"/>) against a real
/// PostgreSQL (scripts/deps.sh), with the environment the CronJob gives it, and the README's
/// restore command (<see cref="PostgresBackups.RestoreCommand"/>) into a fresh database.
/// </summary>
public sealed class PostgresBackupScriptTests : IAsyncLifetime
{
    private readonly PostgresDatabase _source = new();
    private readonly PostgresDatabase _restored = new();
    private readonly string _backups = Directory.CreateTempSubdirectory("gomicro-backup-").FullName;
    private readonly string _clock = Directory.CreateTempSubdirectory("gomicro-backup-clock-").FullName;

    public async ValueTask InitializeAsync()
    {
        // The script's clock: a `date` that is one second later at each run, so the dumps of
        // one test get distinct names (they are named to the second) without waiting.
        var date = Path.Combine(_clock, "date");
        await File.WriteAllTextAsync(date, """
            #!/bin/sh
            n=$(( $(cat "$0.runs" 2>/dev/null || echo 0) + 1 ))
            echo "$n" > "$0.runs"
            printf '20261201T1200%02dZ\n' "$n"
            """.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(date, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        await _source.InitializeAsync();
        await _restored.InitializeAsync();
        await _source.ExecuteAsync("""
            CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer text NOT NULL, amount_cents bigint NOT NULL);
            INSERT INTO orders (customer, amount_cents) SELECT 'customer-' || n, n * 100 FROM generate_series(1, 500) AS n;
            """);
    }

    [Fact]
    public async Task The_backup_script_keeps_the_newest_dumps_and_the_documented_restore_brings_the_data_back_into_a_fresh_database()
    {
        for (var run = 1; run <= 3; run++)
        {
            await _source.ExecuteAsync($"INSERT INTO orders (customer, amount_cents) VALUES ('run-{run}', {run})");
            var (code, output) = await ShAsync(PostgresBackups.Script, Environment(_source.Name, keep: 2));
            Assert.True(code == 0, output);
            Assert.Contains("backup: wrote", output, StringComparison.Ordinal);
        }

        var dumps = Directory.GetFiles(_backups).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, dumps.Count);
        Assert.All(dumps, d => Assert.Matches($"^{_source.Name}-[0-9]{{8}}T[0-9]{{6}}Z[.]dump$", d!));
        foreach (var file in OperatingSystem.IsWindows() ? [] : Directory.GetFiles(_backups))
        {
            // umask 077: the dumps hold every row, password hashes included.
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(file));
        }

        var newest = Path.Combine(_backups, dumps[^1]!);
        var restore = Environment(_restored.Name, keep: 2);
        restore["BACKUP_FILE"] = newest;
        var (restoreCode, restoreOutput) = await ShAsync(PostgresBackups.RestoreCommand, restore);
        Assert.True(restoreCode == 0, restoreOutput);

        Assert.Equal(503, await _restored.ScalarAsync<long>("SELECT count(*) FROM orders"));
        Assert.Equal(1, await _restored.ScalarAsync<long>("SELECT count(*) FROM orders WHERE customer = 'run-3'"));
        Assert.Equal(await _source.ScalarAsync<long>("SELECT sum(amount_cents)::bigint FROM orders"), await _restored.ScalarAsync<long>("SELECT sum(amount_cents)::bigint FROM orders"));
        // The identity goes on where it was: new rows do not collide with restored ones.
        await _restored.ExecuteAsync("INSERT INTO orders (customer, amount_cents) VALUES ('after-restore', 1)");
        Assert.Equal(504, await _restored.ScalarAsync<long>("SELECT max(id) FROM orders"));
    }

    [Fact]
    public async Task A_failed_backup_fails_the_job_and_costs_no_earlier_dump()
    {
        var (code, output) = await ShAsync(PostgresBackups.Script, Environment(_source.Name, keep: 1));
        Assert.True(code == 0, output);
        var before = Directory.GetFiles(_backups);

        var wrong = Environment(_source.Name, keep: 1);
        wrong["PGPASSWORD"] = "not-the-password";
        var (failed, failure) = await ShAsync(PostgresBackups.Script, wrong);

        Assert.NotEqual(0, failed);
        Assert.Contains("password authentication failed", failure, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFiles(_backups));
    }

    [Fact]
    public void The_README_restore_procedure_uses_the_restore_command_this_test_runs()
    {
        var readme = File.ReadAllText(Path.Combine(OfflineSchemas.RepositoryRoot, "README.md"));
        Assert.Contains(PostgresBackups.RestoreCommand, readme, StringComparison.Ordinal);
    }

    /// <summary>What the CronJob's container gets: libpq's variables from the database's Secret, and where the dumps go.</summary>
    private Dictionary<string, string> Environment(string database, int keep)
    {
        var admin = new NpgsqlConnectionStringBuilder(_source.ConnectionString);
        return new Dictionary<string, string>
        {
            ["PGHOST"] = admin.Host!,
            ["PGPORT"] = admin.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PGUSER"] = admin.Username!,
            ["PGPASSWORD"] = admin.Password!,
            ["PGDATABASE"] = database,
            ["BACKUP_DIR"] = _backups,
            ["BACKUP_KEEP"] = keep.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PATH"] = _clock + ":" + System.Environment.GetEnvironmentVariable("PATH"),
        };
    }

    private static async Task<(int Code, string Output)> ShAsync(string script, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        start.Environment["PATH"] = PostgresBin() + ":" + start.Environment["PATH"];
        start.Environment.Remove("PGPASSFILE");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>The client programs of the PostgreSQL that scripts/deps.sh runs (the newest installed), as the image has them on its PATH.</summary>
    private static string PostgresBin()
    {
        var found = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "pg_dump")) && File.Exists(Path.Combine(d, "pg_restore")))
                .OrderByDescending(d => int.TryParse(Regex.Match(d, @"/(\d+)/bin$").Groups[1].Value, out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException("pg_dump and pg_restore were not found under /usr/lib/postgresql/*/bin: install PostgreSQL (scripts/deps.sh start does) to run the backup script test.");
    }

    public async ValueTask DisposeAsync()
    {
        Directory.Delete(_backups, recursive: true);
        Directory.Delete(_clock, recursive: true);
        await _restored.DisposeAsync();
        await _source.DisposeAsync();
    }
}
