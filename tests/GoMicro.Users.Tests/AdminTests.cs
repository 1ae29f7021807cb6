using System.Net;
using GoMicro.Users.V1;
using Grpc.Core;

namespace GoMicro.Users.Tests;

public sealed class AdminTests(UsersFixture users) : IClassFixture<UsersFixture>
{
    [Fact]
    public async Task A_customer_listing_users_is_403_and_no_token_is_401()
    {
        var token = await users.NewCustomerTokenAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await users.GetJsonAsync("/users", token)).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await users.GetJsonAsync("/users")).Response.StatusCode);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            users.Grpc.ListUsersAsync(new ListUsersRequest(), new Metadata { { "authorization", $"Bearer {token}" } }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task The_bootstrapped_admin_pages_through_every_user_exactly_once()
    {
        var registered = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            registered.Add((await users.RegisterAsync(UsersFixture.UniqueEmail("page"))).Id);
        }
        var admin = await users.LoginAsync(UsersFixture.AdminEmail, UsersFixture.AdminPassword);

        var seen = new List<string>();
        var pageToken = "";
        var pages = 0;
        do
        {
            var (response, body) = await users.GetJsonAsync($"/users?pageSize=3&pageToken={pageToken}", admin);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = body.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("id").GetString()!).ToList();
            Assert.InRange(page.Count, 1, 3);
            seen.AddRange(page);
            pageToken = body.TryGetProperty("nextPageToken", out var next) ? next.GetString() ?? "" : "";
            pages++;
        }
        while (pageToken.Length > 0 && pages < 100);

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Superset(registered.ToHashSet(), seen.ToHashSet());
        Assert.Equal(await users.Database.ScalarAsync<long>("SELECT count(*) FROM users"), seen.Count);
    }

    [Fact]
    public async Task Page_size_is_capped_at_100_and_a_bad_page_token_is_400()
    {
        var admin = await users.LoginAsync(UsersFixture.AdminEmail, UsersFixture.AdminPassword);
        var auth = new Metadata { { "authorization", $"Bearer {admin}" } };

        var page = await users.Grpc.ListUsersAsync(new ListUsersRequest { PageSize = 5000 }, auth);
        Assert.InRange(page.Users.Count, 1, 100);

        Assert.Equal(HttpStatusCode.BadRequest, (await users.GetJsonAsync("/users?pageToken=garbage", admin)).Response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await users.GetJsonAsync("/users?pageSize=-1", admin)).Response.StatusCode);
    }

    [Fact]
    public async Task The_admin_has_both_roles()
    {
        var admin = await users.Grpc.LoginAsync(new LoginRequest { Email = UsersFixture.AdminEmail, Password = UsersFixture.AdminPassword });
        Assert.Contains("admin", admin.User.Roles);
        Assert.Contains("customer", admin.User.Roles);
    }
}
