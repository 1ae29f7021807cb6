using System.Buffers.Binary;
using GoMicro.Users.Accounts;
using GoMicro.Users.Model;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace GoMicro.Users.Tests;

/// <summary>Passwords are stored as OWASP asks today, and older hashes are brought up to it.</summary>
public sealed class PasswordHashingTests(UsersFixture users) : IClassFixture<UsersFixture>
{
    /// <summary>Identity's format v3: 0x01, PRF (4 bytes), iteration count (4 bytes, big-endian), salt length, salt, subkey.</summary>
    private static int Iterations(string hash) => (int)BinaryPrimitives.ReadUInt32BigEndian(Convert.FromBase64String(hash).AsSpan(5, 4));

    private Task<string?> StoredHashAsync(string email) =>
        users.Database.ScalarAsync<string>($"SELECT password_hash FROM users WHERE normalized_email = '{email.ToUpperInvariant()}'");

    [Fact]
    public async Task A_new_password_is_hashed_with_OWASPs_210000_PBKDF2_SHA512_iterations()
    {
        var email = UsersFixture.UniqueEmail("hash");
        await users.RegisterAsync(email);

        Assert.Equal(210_000, Iterations((await StoredHashAsync(email))!));
    }

    [Fact]
    public async Task A_hash_with_fewer_iterations_is_rehashed_at_the_next_login()
    {
        var email = UsersFixture.UniqueEmail("rehash");
        await users.RegisterAsync(email, password: "correct-horse-1");
        var old = new PasswordHasher<User>(Options.Create(new PasswordHasherOptions { IterationCount = 100_000 })).HashPassword(null!, "correct-horse-1");
        await users.Database.ExecuteAsync($"UPDATE users SET password_hash = '{old}' WHERE normalized_email = '{email.ToUpperInvariant()}'");

        Assert.NotEmpty(await users.LoginAsync(email, "correct-horse-1"));

        var rehashed = (await StoredHashAsync(email))!;
        Assert.Equal(PasswordHashing.Iterations, Iterations(rehashed));
        Assert.NotEmpty(await users.LoginAsync(email, "correct-horse-1"));
    }
}
