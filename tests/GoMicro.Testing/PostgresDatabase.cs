using Npgsql;
using Xunit;

namespace GoMicro.Testing;

/// <summary>
/// A fresh, empty database for one test class, dropped afterwards; or, from
/// <see cref="NotYetCreated"/>, only its name: the code under test is to create it.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    private readonly bool _create;

    /// <summary>One public constructor without parameters: xunit builds class fixtures with it.</summary>
    public PostgresDatabase()
        : this(create: true)
    {
    }

    private PostgresDatabase(bool create) => _create = create;

    /// <summary>A name for a database that does not exist yet.</summary>
    public static PostgresDatabase NotYetCreated() => new(create: false);

    private string _admin = "";

    public string Name { get; } = "t_" + Guid.NewGuid().ToString("N");

    public string ConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        _admin = await TestDependencies.PostgresAdminAsync();
        if (_create)
        {
            await using var connection = new NpgsqlConnection(_admin);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(_admin) { Database = Name, MaxPoolSize = 50 }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (ConnectionString.Length == 0)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    public async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
