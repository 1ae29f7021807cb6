using System.Security.Cryptography;
using GoMicro.ServiceDefaults.Auth;
using Microsoft.IdentityModel.Tokens;

namespace GoMicro.Users.Tokens;

/// <summary>
/// The private key tokens are signed with, and its public half as a JWK. The key id is the
/// RFC 7638 thumbprint, so the same PEM always yields the same "kid" on every replica.
/// </summary>
public sealed class SigningKey
{
    private SigningKey(AsymmetricSecurityKey key, string algorithm)
    {
        var jwk = key switch
        {
            ECDsaSecurityKey ec => JsonWebKeyConverter.ConvertFromECDsaSecurityKey(ec),
            _ => throw new NotSupportedException(key.GetType().Name),
        };
        key.KeyId = Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint());
        Credentials = new SigningCredentials(key, algorithm);
        PublicJwk = new JsonWebKey
        {
            Kty = jwk.Kty,
            Crv = jwk.Crv,
            X = jwk.X,
            Y = jwk.Y,
            Kid = key.KeyId,
            Use = JsonWebKeyUseNames.Sig,
            Alg = algorithm,
        };
    }

    public SigningCredentials Credentials { get; }

    public SecurityKey Key => Credentials.Key;

    /// <summary>Public parameters only: safe to publish in the JWKS.</summary>
    public JsonWebKey PublicJwk { get; }

    public static SigningKey FromPem(string pem, string source)
    {
        var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(pem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            ec.Dispose();
            throw new InvalidOperationException(
                $"{source}: not a PEM EC private key on curve P-256. Tokens are ES256 only (the gateway accepts one algorithm); "
                + "make one with: openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt", ex);
        }
        if (!JwtSigning.IsOnCurve(ec))
        {
            ec.Dispose();
            throw new InvalidOperationException($"{source}: the EC key is not on curve P-256 (prime256v1), so it cannot sign ES256.");
        }
        return new SigningKey(new ECDsaSecurityKey(ec), JwtSigning.Algorithm);
    }

    public static SigningKey FromFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"Jwt__SigningKeyPath points to '{path}', which does not exist.");
        }
        return FromPem(File.ReadAllText(path), $"Jwt__SigningKeyPath ({path})");
    }

    /// <summary>
    /// Writes a new P-256 key to <paramref name="path"/> (owner-only permissions) unless one is
    /// already there: with Jwt__CreateKeyIfMissing, a compose volume gets a key on first start
    /// and keeps it across restarts.
    /// </summary>
    public static void CreateFile(string path)
    {
        var pem = JwtSigning.NewPrivateKeyPem();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            using var file = new FileStream(path, options);
            using var writer = new StreamWriter(file);
            writer.Write(pem);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another instance created it first; use theirs.
        }
    }

    /// <summary>A throwaway P-256 key: tokens die with the process and differ per replica.</summary>
    public static SigningKey Generate() => new(new ECDsaSecurityKey(ECDsa.Create(JwtSigning.Curve)), JwtSigning.Algorithm);
}
