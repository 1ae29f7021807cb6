using System.Net;
using System.Net.Http.Json;
using GoMicro.Users.V1;
using Grpc.Core;

namespace GoMicro.Users.Tests;

public sealed class AccountTests(UsersFixture users) : IClassFixture<UsersFixture>
{
    [Fact]
    public async Task Register_login_me_update_over_grpc()
    {
        var email = UsersFixture.UniqueEmail("grpc");
        var registered = await users.Grpc.RegisterAsync(new RegisterRequest { Email = email, Password = "s3cret-pass", DisplayName = "Ann" });
        Assert.Equal(email, registered.Email);
        Assert.Equal(["customer"], registered.Roles);
        Assert.True(Guid.TryParse(registered.Id, out _));

        var login = await users.Grpc.LoginAsync(new LoginRequest { Email = email.ToUpperInvariant(), Password = "s3cret-pass" });
        Assert.Equal("Bearer", login.TokenType);
        Assert.Equal(3600, login.ExpiresIn);
        Assert.Equal(registered.Id, login.User.Id);
        var auth = new Metadata { { "authorization", $"Bearer {login.AccessToken}" } };

        var me = await users.Grpc.GetMeAsync(new GetMeRequest(), auth);
        Assert.Equal(registered.Id, me.Id);
        Assert.Equal("Ann", me.DisplayName);

        var updated = await users.Grpc.UpdateMeAsync(new UpdateMeRequest { DisplayName = "Ann B.", NewPassword = "n3w-password", CurrentPassword = "s3cret-pass" }, auth);
        Assert.Equal("Ann B.", updated.DisplayName);
        Assert.Equal("Ann B.", (await users.Grpc.GetMeAsync(new GetMeRequest(), auth)).DisplayName);

        var old = await Assert.ThrowsAsync<RpcException>(() => users.Grpc.LoginAsync(new LoginRequest { Email = email, Password = "s3cret-pass" }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, old.StatusCode);
        Assert.NotEmpty((await users.Grpc.LoginAsync(new LoginRequest { Email = email, Password = "n3w-password" })).AccessToken);
    }

    [Fact]
    public async Task Register_login_me_update_over_http_json()
    {
        var email = UsersFixture.UniqueEmail("http");
        var (created, user) = await users.PostJsonAsync("/users", new { email, password = "s3cret-pass", displayName = "Bob" });
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(email, user.GetProperty("email").GetString());
        Assert.Equal("Bob", user.GetProperty("displayName").GetString());
        Assert.False(user.TryGetProperty("passwordHash", out _));

        var (loggedIn, login) = await users.PostJsonAsync("/users/login", new { email, password = "s3cret-pass" });
        Assert.Equal(HttpStatusCode.OK, loggedIn.StatusCode);
        var token = login.GetProperty("accessToken").GetString()!;

        var (meResponse, me) = await users.GetJsonAsync("/users/me", token);
        Assert.Equal(HttpStatusCode.OK, meResponse.StatusCode);
        Assert.Equal(user.GetProperty("id").GetString(), me.GetProperty("id").GetString());

        using var put = new HttpRequestMessage(HttpMethod.Put, "/users/me") { Content = JsonContent.Create(new { displayName = "Bobby" }) };
        var (updatedResponse, updated) = await users.SendAsync(put, token);
        Assert.Equal(HttpStatusCode.OK, updatedResponse.StatusCode);
        Assert.Equal("Bobby", updated.GetProperty("displayName").GetString());
        Assert.Equal("Bobby", (await users.GetJsonAsync("/users/me", token)).Body.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task Me_without_a_token_is_401()
    {
        var (response, _) = await users.GetJsonAsync("/users/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        var error = await Assert.ThrowsAsync<RpcException>(() => users.Grpc.GetMeAsync(new GetMeRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Duplicate_email_is_refused_even_when_it_differs_only_in_case()
    {
        var email = UsersFixture.UniqueEmail("dup");
        await users.RegisterAsync(email);

        var again = await Assert.ThrowsAsync<RpcException>(() => users.RegisterAsync(email));
        Assert.Equal(StatusCode.AlreadyExists, again.StatusCode);

        var (response, body) = await users.PostJsonAsync("/users", new { email = email.ToUpperInvariant(), password = "s3cret-pass", displayName = "Other" });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("email", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        var count = await users.Database.ScalarAsync<long>($"SELECT count(*) FROM users WHERE normalized_email = '{email.ToUpperInvariant()}'");
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_email_create_one_account()
    {
        var email = UsersFixture.UniqueEmail("race");
        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await users.RegisterAsync(i % 2 == 0 ? email : email.ToUpperInvariant());
                return StatusCode.OK;
            }
            catch (RpcException ex)
            {
                return ex.StatusCode;
            }
        }));

        Assert.Equal(1, attempts.Count(s => s == StatusCode.OK));
        Assert.All(attempts.Where(s => s != StatusCode.OK), s => Assert.Equal(StatusCode.AlreadyExists, s));
    }

    [Fact]
    public async Task Password_change_needs_the_current_password()
    {
        var email = UsersFixture.UniqueEmail("pw");
        await users.RegisterAsync(email);
        var auth = new Metadata { { "authorization", $"Bearer {await users.LoginAsync(email)}" } };

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            users.Grpc.UpdateMeAsync(new UpdateMeRequest { NewPassword = "another-pass-2", CurrentPassword = "wrong-pass-1" }, auth).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("current_password:", error.Status.Detail, StringComparison.Ordinal);
        Assert.NotEmpty(await users.LoginAsync(email));
    }
}
