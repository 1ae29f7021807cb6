using System.Net;
using Grpc.Core;

namespace GoMicro.Users.Tests;

/// <summary>Runs alone, so the service's own count of checked passwords counts only this test's guesses.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoginRaceCollection
{
    public const string Name = "login race";
}

[Collection(LoginRaceCollection.Name)]
public sealed class LoginRaceTests(UsersFixture users) : IClassFixture<UsersFixture>
{
    [Fact]
    public async Task Forty_simultaneous_wrong_guesses_get_no_more_passwords_checked_than_the_limit()
    {
        var email = UsersFixture.UniqueEmail("race");
        await users.RegisterAsync(email);
        var before = await CheckedPasswordsAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
            (await users.PostJsonAsync("/users/login", new { email, password = $"wrong-password-{i}" })).Response.StatusCode));

        // The service counts every password it checked and found wrong; the guesses past the
        // limit must be refused (429) before any hashing.
        var checkedPasswords = await CheckedPasswordsAsync() - before;
        Assert.True(checkedPasswords <= UsersFixture.MaxLoginFailures, $"{checkedPasswords} passwords checked against a limit of {UsersFixture.MaxLoginFailures}");
        Assert.All(answers, a => Assert.Contains(a, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests }));
        var grpc = await Assert.ThrowsAsync<RpcException>(() => users.LoginAsync(email));
        Assert.Equal(StatusCode.ResourceExhausted, grpc.StatusCode);
    }

    [Fact]
    public async Task Forty_simultaneous_wrong_guesses_from_forty_addresses_get_no_more_passwords_checked_than_the_account_limit()
    {
        var email = UsersFixture.UniqueEmail("crowd-race");
        await users.RegisterAsync(email);
        var before = await CheckedPasswordsAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
            (await users.PostLoginFromAsync($"203.0.113.{i + 1}", email, $"wrong-password-{i}")).Response.StatusCode));

        // Each address counts once at the account, before hashing; past the limit of addresses
        // the account is locked for addresses it does not know, before any hashing.
        var checkedPasswords = await CheckedPasswordsAsync() - before;
        Assert.True(checkedPasswords <= UsersFixture.AccountMaxClients, $"{checkedPasswords} passwords checked against a limit of {UsersFixture.AccountMaxClients} addresses");
        Assert.All(answers, a => Assert.Contains(a, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests }));
        Assert.True(answers.Count(a => a == HttpStatusCode.TooManyRequests) >= answers.Length - UsersFixture.AccountMaxClients);
    }

    /// <summary>The service's own counter of passwords checked and found wrong, from /metrics.</summary>
    private async Task<double> CheckedPasswordsAsync()
    {
        var metrics = await users.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("gomicro_users_logins_total{outcome=\"wrong_credentials\"}", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
