using System.Security.Cryptography;
using k8s.Models;

namespace GoMicro.Operator.Resources;

/// <summary>
/// The credentials a shop runs on, generated once and never rewritten: the databases and the
/// broker keep the first password they were started with, so a new one would lock the
/// services out. They carry no owner reference; the finalizer keeps or deletes them with the
/// volumes, as the shop's dataRetention says.
/// </summary>
internal static class ShopSecrets
{
    public const string UserKey = "username";
    public const string PasswordKey = "password";
    public const string ConnectionStringKey = "connection-string";
    public const string UriKey = "uri";
    public const string SigningKeyKey = "signing-key.pem";
    public const string EmailKey = "email";
    public const string DatabaseUser = "gomicro";

    public static string Database(string service) => service + "-db";

    public const string Redis = "redis";
    public const string RabbitMq = "rabbitmq";
    public const string Jwt = "jwt";
    public const string Admin = "admin";
    public const string ServiceKeys = "service-keys";

    /// <summary>The key payments presents to products (ServiceKeys__Payments in both).</summary>
    public const string PaymentsKeyKey = "payments";

    /// <summary>Every Secret of the shop, with freshly generated values (used only for those that do not exist yet).</summary>
    public static IEnumerable<V1Secret> Generate(ShopNames names) => Build(names, _ => NewPassword(), _ => NewServiceKey(), NewSigningKey);

    /// <summary>
    /// Every Secret of the shop with placeholders where the secrets go, for a rendered shop
    /// that is committed to Git: each placeholder names what to put there, and a password
    /// repeated in a connection string or URI has the same placeholder.
    /// </summary>
    public static IEnumerable<V1Secret> Placeholders(ShopNames names) =>
        Build(names, part => $"REPLACE-{part}-password", part => $"REPLACE-{part}", () => "REPLACE with an ECDSA P-256 private key, PKCS#8 PEM (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)");

    private static IEnumerable<V1Secret> Build(ShopNames names, Func<string, string> newPassword, Func<string, string> newKey, Func<string> newSigningKey)
    {
        // Credentials only for the stores the shop runs itself: another operator makes its own,
        // and an external store's are in the Secret the user names.
        var spec = names.Shop.Spec;
        foreach (var service in Microservices.WithDatabase.Where(_ => spec.Postgres.Provider == Crd.PostgresProvider.StatefulSet))
        {
            var password = newPassword(Database(service));
            yield return Secret(names, Database(service), new()
            {
                [UserKey] = DatabaseUser,
                [PasswordKey] = password,
                [ConnectionStringKey] = $"Host={names.Of(Database(service))};Database={service};Username={DatabaseUser};Password={password}",
            });
        }
        if (spec.Redis.Provider == Crd.RedisProvider.StatefulSet)
        {
            var redisPassword = newPassword(Redis);
            yield return Secret(names, Redis, new()
            {
                [PasswordKey] = redisPassword,
                [ConnectionStringKey] = $"{names.Of(Redis)}:{DataStores.RedisPort},password={redisPassword}",
            });
        }
        if (spec.RabbitMq.Provider == Crd.RabbitMqProvider.StatefulSet)
        {
            var brokerPassword = newPassword(RabbitMq);
            yield return Secret(names, RabbitMq, new()
            {
                [UserKey] = DatabaseUser,
                [PasswordKey] = brokerPassword,
                [UriKey] = $"amqp://{DatabaseUser}:{brokerPassword}@{names.Of(RabbitMq)}:{DataStores.AmqpPort}/",
            });
        }
        yield return Secret(names, Jwt, new() { [SigningKeyKey] = newSigningKey() });
        yield return Secret(names, Admin, new()
        {
            [EmailKey] = names.Shop.Spec.Admin.Email,
            [PasswordKey] = newPassword(Admin),
        });
        yield return Secret(names, ServiceKeys, new() { [PaymentsKeyKey] = newKey(ServiceKeys) });
    }

    private static string NewSigningKey() => GoMicro.ServiceDefaults.Auth.JwtSigning.NewPrivateKeyPem();

    private static V1Secret Secret(ShopNames names, string part, Dictionary<string, string> data) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Metadata = new V1ObjectMeta { Name = names.Of(part), NamespaceProperty = names.Namespace, Labels = names.Labels(part, "credentials") },
        Type = "Opaque",
        StringData = data,
    };

    /// <summary>32 random characters that need no escaping in a URI or a connection string.</summary>
    private static string NewPassword() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>64 hexadecimal characters: 256 random bits.</summary>
    private static string NewServiceKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
