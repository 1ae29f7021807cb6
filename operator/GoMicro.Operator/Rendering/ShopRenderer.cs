using System.CommandLine;
using System.Text.RegularExpressions;
using GoMicro.Operator.Crd;
using GoMicro.Operator.Resources;
using k8s;
using k8s.Models;

namespace GoMicro.Operator.Rendering;

/// <summary>
/// `gomicro-operator render -f shop.yaml`: every object the operator would apply for a shop,
/// as YAML, so a shop can be reviewed, diffed, or committed to Git and applied by Argo CD or
/// Flux without the operator. The children carry no owner reference (the GitOps tool owns
/// them; a reference to a shop that is not there would have the garbage collector delete
/// them), and the Secrets hold placeholders unless credentials are generated on request.
/// </summary>
public static class ShopRenderer
{
    /// <summary>`render`: its options, parsed by System.CommandLine (see <see cref="OperatorCommandLine"/>).</summary>
    public static Command Command(TextReader stdin)
    {
        var file = new Option<string>("--filename", "-f") { Description = "The GoMicroShop YAML file ('-' reads standard input).", Required = true };
        var ns = new Option<string?>("--namespace", "-n") { Description = "The namespace of the shop's objects (default: the shop's own, else 'default')." };
        var generate = new Option<bool>("--generate-credentials") { Description = "Fill the Secrets with freshly generated credentials instead of placeholders." };
        var command = new Command("render", "Print every object the operator would apply for a shop, as YAML, for review or GitOps.") { file, ns, generate };
        command.SetAction(parse => Render(parse.GetRequiredValue(file), parse.GetValue(ns), parse.GetValue(generate), stdin,
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>`render` with <paramref name="args"/> (what follows the command's name): 0 when rendered, 2 when the shop is refused, 1 for a bad command line.</summary>
    public static int Run(IReadOnlyList<string> args, TextReader stdin, TextWriter output, TextWriter errors) =>
        Command(stdin).Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = errors, EnableDefaultExceptionHandler = false });

    private static int Render(string file, string? ns, bool generate, TextReader stdin, TextWriter output, TextWriter errors)
    {
        List<GoMicroShop> shops;
        try
        {
            var text = file == "-" ? stdin.ReadToEnd() : File.ReadAllText(file);
            shops = ShopYaml.Read(text, file);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or YamlDotNet.Core.YamlException)
        {
            errors.WriteLine($"render: {e.Message}");
            return 2;
        }

        var problems = shops.SelectMany(Problems).ToList();
        if (shops.Count == 0 || problems.Count > 0)
        {
            errors.WriteLine(shops.Count == 0 ? $"render: {file} holds no {GoMicroShop.KindName}" : string.Join("\n", problems.Select(p => "render: " + p)));
            return 2;
        }

        output.WriteLine($"# Rendered by `gomicro-operator render` from {Path.GetFileName(file)}: what the operator applies for {string.Join(", ", shops.Select(s => s.Metadata.Name))}.");
        output.WriteLine(generate
            ? "# The Secrets hold freshly generated credentials: keep them out of Git in plain text (seal or encrypt them)."
            : "# The Secrets hold placeholders (REPLACE-…): fill them in, or leave the Secrets out and provide them another way.");
        foreach (var shop in shops)
        {
            shop.Metadata.NamespaceProperty = ns ?? shop.Metadata.NamespaceProperty ?? "default";
            var names = new ShopNames(shop);
            IEnumerable<IKubernetesObject<V1ObjectMeta>> secrets = generate ? ShopSecrets.Generate(names) : ShopSecrets.Placeholders(names);
            foreach (var child in secrets.Concat(ShopResources.Build(names)))
            {
                child.Metadata.OwnerReferences = null;
                output.WriteLine("---");
                output.WriteLine(KubernetesYaml.Serialize(child).TrimEnd('\n'));
            }
        }
        return 0;
    }

    /// <summary>What the API server would refuse through the CRD's own rules; the schema's checks are the API server's business.</summary>
    private static IEnumerable<string> Problems(GoMicroShop shop)
    {
        var name = shop.Metadata?.Name ?? "";
        if (name.Length == 0 || name.Length > ShopNames.MaxShopNameLength || !Regex.IsMatch(name, ShopNames.ShopNamePattern))
        {
            yield return $"metadata.name '{name}': the name of a shop must start with a letter, hold only lower-case letters, digits and '-', and be at most {ShopNames.MaxShopNameLength} characters long";
        }
        if (string.IsNullOrEmpty(shop.Spec?.Version))
        {
            yield return $"{name}: spec.version is required (the tag of the service images)";
        }
        if (shop.Spec?.RabbitMq.Provider == RabbitMqProvider.ClusterOperator && name.Length > ProviderRules.MaxShopNameWithClusterOperator)
        {
            yield return $"metadata.name '{name}': with rabbitmq.provider rabbitmq-cluster-operator the name of a shop is at most {ProviderRules.MaxShopNameWithClusterOperator} characters long";
        }
        foreach (var (store, external, secret) in new[]
        {
            ("postgres", shop.Spec?.Postgres.Provider == PostgresProvider.External, shop.Spec?.Postgres.SecretName),
            ("redis", shop.Spec?.Redis.Provider == RedisProvider.External, shop.Spec?.Redis.SecretName),
            ("rabbitmq", shop.Spec?.RabbitMq.Provider == RabbitMqProvider.External, shop.Spec?.RabbitMq.SecretName),
        })
        {
            if (external && string.IsNullOrEmpty(secret))
            {
                yield return $"{name}: {store}.provider external needs {store}.secretName (the Secret that holds its connection settings)";
            }
        }
    }
}
