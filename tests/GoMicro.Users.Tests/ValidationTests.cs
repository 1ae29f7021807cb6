using System.Net;
using System.Text;
using GoMicro.Users.V1;
using Grpc.Core;

namespace GoMicro.Users.Tests;

public sealed class ValidationTests(UsersFixture users) : IClassFixture<UsersFixture>
{
    public static TheoryData<string, string, string, string> BadRegistrations => new()
    {
        { "not-an-email", "s3cret-pass", "Ann", "email" },
        { "ann@", "s3cret-pass", "Ann", "email" },
        { "", "s3cret-pass", "Ann", "email" },
        { new string('a', 250) + "@example.com", "s3cret-pass", "Ann", "email" },
        { "{unique}", "short1", "Ann", "password" },
        { "{unique}", "onlyletters", "Ann", "password" },
        { "{unique}", "x1" + new string('y', 200), "Ann", "password" },
        { "{unique}", "s3cret-pass", "", "display_name" },
        { "{unique}", "s3cret-pass", "   ", "display_name" },
        { "{unique}", "s3cret-pass", new string('n', 101), "display_name" },
    };

    [Theory]
    [MemberData(nameof(BadRegistrations))]
    public async Task Bad_registration_is_400_naming_the_field(string email, string password, string displayName, string field)
    {
        email = email.Replace("{unique}", UsersFixture.UniqueEmail(), StringComparison.Ordinal);

        var (response, body) = await users.PostJsonAsync("/users", new { email, password, displayName });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(field + ":", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<RpcException>(() => users.RegisterAsync(email, password, displayName));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field + ":", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(0, await users.Database.ScalarAsync<long>($"SELECT count(*) FROM users WHERE email = '{email.Replace("'", "''", StringComparison.Ordinal)}'"));
    }

    [Theory]
    [InlineData("{\"email\": \"a@example.com\", \"password\": ")]
    [InlineData("not json at all")]
    [InlineData("{\"email\": 12, \"password\": [1,2]}")]
    [InlineData("{\"unknownField\": true}")]
    public async Task Malformed_json_is_400(string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/users") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        var (response, _) = await users.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Login_without_email_is_400_naming_the_field()
    {
        var (response, body) = await users.PostJsonAsync("/users/login", new { password = "whatever-1" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("email:", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_with_an_oversized_display_name_is_400_and_changes_nothing()
    {
        var email = UsersFixture.UniqueEmail();
        await users.RegisterAsync(email, displayName: "Kept");
        var auth = new Metadata { { "authorization", $"Bearer {await users.LoginAsync(email)}" } };

        var error = await Assert.ThrowsAsync<RpcException>(() => users.Grpc.UpdateMeAsync(new UpdateMeRequest { DisplayName = new string('x', 500) }, auth).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("Kept", (await users.Grpc.GetMeAsync(new GetMeRequest(), auth)).DisplayName);
    }

    [Theory]
    [InlineData(300, 10)]
    [InlineData(20, 10_000)]
    public async Task A_login_with_an_email_or_password_longer_than_any_account_can_have_is_400_not_counted_and_not_hashed(int emailLength, int passwordLength)
    {
        var email = new string('a', emailLength - "@example.com".Length) + "@example.com";
        var (response, body) = await users.PostJsonAsync("/users/login", new { email, password = new string('p', passwordLength) });

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await users.Database.ScalarAsync<long>($"SELECT count(*) FROM login_throttles WHERE normalized_email = '{email.ToUpperInvariant()}'"));
    }
}
