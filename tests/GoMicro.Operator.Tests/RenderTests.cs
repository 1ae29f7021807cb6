using System.Text.Json;
using System.Text.Json.Nodes;
using GoMicro.Operator.Rendering;
using GoMicro.Testing;

namespace GoMicro.Operator.Tests;

/// <summary>`gomicro-operator render -f shop.yaml`: a shop as plain manifests, for review or GitOps without the operator.</summary>
public sealed class RenderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gomicro-render-").FullName;

    private const string Shop = """
        apiVersion: gomicro.io/v1alpha1
        kind: GoMicroShop
        metadata:
          name: demo
          namespace: shop
        spec:
          version: 1.2.3
          rabbitmq:
            storageSize: 2Gi
          dataRetention: Delete
        """;

    private (int Code, string Output, string Errors) Render(string yaml, params string[] extra)
    {
        var file = Path.Combine(_dir, "shop.yaml");
        File.WriteAllText(file, yaml);
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var code = ShopRenderer.Run(["-f", file, .. extra], TextReader.Null, output, errors);
        return (code, output.ToString(), errors.ToString());
    }

    [Fact]
    public void Render_prints_every_child_the_operator_applies_valid_for_Kubernetes_1_32_and_owned_by_no_one()
    {
        var (code, output, errors) = Render(Shop);

        Assert.True(code == 0, errors);
        var objects = YamlJson.Documents(output).OfType<JsonObject>().ToList();
        Assert.Equal(
            [("ConfigMap", 1), ("Deployment", 5), ("NetworkPolicy", 10), ("Secret", 8), ("Service", 11), ("StatefulSet", 5)],
            objects.GroupBy(o => o["kind"]!.GetValue<string>()).Select(g => (g.Key, g.Count())).OrderBy(g => g.Key));
        foreach (var obj in objects)
        {
            var problems = KubernetesSchemas.Validate(JsonSerializer.SerializeToElement(obj));
            Assert.True(problems.Count == 0, $"{obj["kind"]} {obj["metadata"]!["name"]}: {string.Join("; ", problems.Take(5))}");
            Assert.Equal("shop", obj["metadata"]!["namespace"]!.GetValue<string>());
            Assert.Null(obj["metadata"]!["ownerReferences"]);
        }
        // The CRD's defaults apply as the API server would apply them: RabbitMQ keeps its memory.
        var broker = objects.Single(o => o["metadata"]!["name"]!.GetValue<string>() == "demo-rabbitmq" && o["kind"]!.GetValue<string>() == "StatefulSet");
        Assert.Equal("512Mi", broker["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!["limits"]!["memory"]!.GetValue<string>());
    }

    [Fact]
    public void Secrets_hold_matching_placeholders_unless_credentials_are_generated_on_request()
    {
        var placeholders = YamlJson.Documents(Render(Shop).Output).OfType<JsonObject>().Where(o => o["kind"]!.GetValue<string>() == "Secret").ToList();
        var database = placeholders.Single(s => s["metadata"]!["name"]!.GetValue<string>() == "demo-users-db")["stringData"]!;
        Assert.StartsWith("REPLACE-", database["password"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.EndsWith($"Password={database["password"]!.GetValue<string>()}", database["connection-string"]!.GetValue<string>(), StringComparison.Ordinal);

        var (code, output, _) = Render(Shop, "--generate-credentials");
        Assert.Equal(0, code);
        Assert.DoesNotContain("REPLACE", output, StringComparison.Ordinal);
        var jwt = YamlJson.Documents(output).OfType<JsonObject>().Single(s => s["metadata"]!["name"]!.GetValue<string>() == "demo-jwt");
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", jwt["stringData"]!["signing-key.pem"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_namespace_option_places_every_object()
    {
        Assert.All(YamlJson.Documents(Render(Shop, "--namespace", "staging").Output).OfType<JsonObject>(),
            o => Assert.Equal("staging", o["metadata"]!["namespace"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n", "only GoMicroShop")]
    [InlineData("apiVersion: gomicro.io/v1alpha1\nkind: GoMicroShop\nmetadata: { name: 2shop }\nspec: { version: '1' }\n", "must start with a letter")]
    [InlineData("apiVersion: gomicro.io/v1alpha1\nkind: GoMicroShop\nmetadata: { name: shop }\nspec: {}\n", "spec.version is required")]
    [InlineData("spec: [unclosed\n", "render: ")]
    public void Input_the_API_server_would_refuse_is_refused_with_a_reason_and_no_output(string yaml, string reason)
    {
        var (code, output, errors) = Render(yaml);
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains(reason, errors, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
