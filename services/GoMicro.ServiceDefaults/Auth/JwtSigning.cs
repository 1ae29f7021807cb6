using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace GoMicro.ServiceDefaults.Auth;

/// <summary>
/// The one token algorithm of the platform. KrakenD's auth/validator takes exactly one
/// algorithm and refuses tokens whose header names another, so users signs with it, the
/// gateway generator writes it, the operator generates keys for it, and every service accepts
/// nothing else: ES256, ECDSA on curve P-256 (secp256r1) only.
/// </summary>
public static class JwtSigning
{
    public const string Algorithm = SecurityAlgorithms.EcdsaSha256;

    /// <summary>The OID of NIST P-256 (secp256r1, prime256v1).</summary>
    public const string CurveOid = "1.2.840.10045.3.1.7";

    public static ECCurve Curve => ECCurve.NamedCurves.nistP256;

    /// <summary>A new private key for <see cref="Algorithm"/>, as PKCS#8 PEM.</summary>
    public static string NewPrivateKeyPem()
    {
        using var key = ECDsa.Create(Curve);
        return key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>Whether a key is on P-256: other 256-bit curves (secp256k1, brainpoolP256r1) are not ES256.</summary>
    public static bool IsOnCurve(ECDsa key)
    {
        var curve = key.ExportParameters(includePrivateParameters: false).Curve;
        return curve.IsNamed && (curve.Oid.Value == CurveOid || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "prime256v1" or "secp256r1");
    }
}
