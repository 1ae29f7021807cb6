using GoMicro.ServiceDefaults.Health;
using GoMicro.ServiceDefaults.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GoMicro.ServiceDefaults.Data;

public static class PostgresSetup
{
    public const string ConnectionStringKey = "ConnectionStrings:Postgres";

    /// <summary>
    /// The service's own PostgreSQL database: the DbContext, pooled (without automatic savepoints, see
    /// <see cref="NoAutoSavepoints"/>), a readiness check that opens a connection, and
    /// migrations at start-up when Database:MigrateOnStartup is set.
    /// </summary>
    public static IHostApplicationBuilder AddPostgresDbContext<TContext>(this IHostApplicationBuilder builder)
        where TContext : DbContext
    {
        AddContext<TContext>(builder, migrationsSchema: null);
        builder.Services.AddHealthChecks().AddDbContextCheck<TContext>("postgres", tags: [HealthTags.Ready]);
        return builder;
    }

    /// <summary>
    /// A second context in the same database, its tables and migrations history in schema
    /// <paramref name="schema"/>, so its migrations never meet the first context's. Migrated at
    /// start-up after the contexts added before it; the database's health check is the first one's.
    /// </summary>
    public static IHostApplicationBuilder AddPostgresDbContextBeside<TContext>(this IHostApplicationBuilder builder, string schema)
        where TContext : DbContext
    {
        AddContext<TContext>(builder, schema);
        return builder;
    }

    private static void AddContext<TContext>(IHostApplicationBuilder builder, string? migrationsSchema) where TContext : DbContext
    {
        var connectionString = WithAutoPrepare(builder.Configuration.GetRequired(ConnectionStringKey));
        // Pooled: a request takes a context whose options and internal services are built
        // already, instead of composing them again (measured: several per cent of a checkout's
        // CPU). Interceptors added through ConfigureDbContext are therefore singletons.
        builder.Services.AddDbContextPool<TContext>(options => options.UseServicePostgres(connectionString, migrationsSchema).AddInterceptors(new NoAutoSavepoints()));
        builder.Services.Configure<DatabaseOptions>(builder.Configuration.GetSection(DatabaseOptions.Section));
        builder.Services.AddHostedService<DatabaseMigrator<TContext>>();
    }

    /// <summary>
    /// PostgreSQL as every service's DbContext uses it, at run time, at design time (migrations)
    /// and in tests: Npgsql, and snake_case names for what the model does not name itself
    /// (<c>AmountCents</c> is the column <c>amount_cents</c>). Raw SQL in the services relies on
    /// those names, so a context built without this is not the schema the migrations made. The
    /// migrations history table keeps EF Core's own names (<see cref="MigrationsHistoryNames"/>).
    /// </summary>
    public static TBuilder UseServicePostgres<TBuilder>(this TBuilder options, string connectionString, string? migrationsSchema = null)
        where TBuilder : DbContextOptionsBuilder
    {
        options.UseNpgsql(connectionString, npgsql =>
            {
                if (migrationsSchema is not null)
                {
                    npgsql.MigrationsHistoryTable(HistoryRepository.DefaultTableName, migrationsSchema);
                }
            })
            .UseSnakeCaseNamingConvention()
            .ReplaceService<IHistoryRepository, MigrationsHistoryNames>();
        return options;
    }

    /// <summary>
    /// Statements a connection runs often are prepared on the server (Npgsql's automatic
    /// preparation; PostgreSQL then skips parsing and planning them): unless the connection
    /// string says otherwise, up to 64 per connection. `Max Auto Prepare=0` turns it off, for
    /// a transaction-mode pooler that cannot keep prepared statements.
    /// </summary>
    public static string WithAutoPrepare(string connectionString)
    {
        var parsed = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (parsed.ContainsKey("Max Auto Prepare"))
        {
            return connectionString;
        }
        parsed.MaxAutoPrepare = 64;
        return parsed.ConnectionString;
    }
}
