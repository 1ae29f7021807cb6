using System.Net;
using GoMicro.Users.V1;
using Grpc.Core;

namespace GoMicro.Users.Tests;

public sealed class PersistenceTests(UsersFixture users) : IClassFixture<UsersFixture>
{
    [Fact]
    public async Task Users_and_their_tokens_survive_a_restart_and_migrations_run_once()
    {
        var email = UsersFixture.UniqueEmail("durable");
        var user = await users.RegisterAsync(email, displayName: "Durable");
        var token = await users.LoginAsync(email);

        await users.RestartAsync();
        await users.RestartAsync();

        var me = await users.Grpc.GetMeAsync(new GetMeRequest(), new Metadata { { "authorization", $"Bearer {token}" } });
        Assert.Equal(user.Id, me.Id);
        Assert.NotEmpty(await users.LoginAsync(email));
        Assert.Equal(1, await users.Database.ScalarAsync<long>($"SELECT count(*) FROM users WHERE email = '{email}'"));
        Assert.Equal(1, await users.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE 'admin' = ANY(roles)"));
        var migrations = await users.Database.ScalarAsync<long>("SELECT count(*) FROM \"__EFMigrationsHistory\"");
        var defined = typeof(Infrastructure.UsersDbContext).Assembly.GetTypes()
            .Count(t => t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute), false).Length > 0);
        Assert.True(defined > 0);
        Assert.Equal(defined, migrations);
        Assert.Equal(HttpStatusCode.OK, (await users.GetJsonAsync("/healthz/ready")).Response.StatusCode);
    }
}
