using System.Text.Json;
using System.Text.Json.Nodes;
using GoMicro.Operator.Crd;
using GoMicro.Testing;
using Json.Schema;

namespace GoMicro.Operator.Tests;

public sealed class CrdTests
{
    public static readonly string CommittedPath = Path.Combine(OfflineSchemas.RepositoryRoot, "charts", "gomicro-operator", "crds", CustomResourceDefinitionBuilder.Name + ".yaml");
    private const string CrdSchema = "https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/v1.32.10-local/customresourcedefinition-apiextensions-v1.json";

    [Fact]
    public void The_committed_CRD_is_the_one_the_CSharp_types_generate()
    {
        var committed = File.Exists(CommittedPath) ? File.ReadAllText(CommittedPath) : "(missing)";
        Assert.True(committed == CustomResourceDefinitionBuilder.ToYaml(),
            $"{CommittedPath} drifted from operator/GoMicro.Operator/Crd. Regenerate it: dotnet run --project operator/GoMicro.Operator -- crd > {Path.GetRelativePath(OfflineSchemas.RepositoryRoot, CommittedPath)}");
    }

    [Fact]
    public void The_CRD_is_a_valid_Kubernetes_1_32_CustomResourceDefinition_with_the_designed_names()
    {
        var crd = YamlJson.Documents(File.ReadAllText(CommittedPath)).Single()!;
        Assert.Empty(OfflineSchemas.Validate(OfflineSchemas.Get(CrdSchema), JsonSerializer.SerializeToElement(crd)));

        Assert.Equal("gomicroshops.gomicro.io", crd["metadata"]!["name"]!.GetValue<string>());
        var spec = crd["spec"]!;
        Assert.Equal("Namespaced", spec["scope"]!.GetValue<string>());
        Assert.Equal("GoMicroShop", spec["names"]!["kind"]!.GetValue<string>());
        Assert.Equal(["gms"], spec["names"]!["shortNames"]!.AsArray().Select(n => n!.GetValue<string>()));
        var version = spec["versions"]!.AsArray().Single()!;
        Assert.Equal("v1alpha1", version["name"]!.GetValue<string>());
        Assert.NotNull(version["subresources"]!["status"]);
        Assert.Contains(version["additionalPrinterColumns"]!.AsArray(), c => c!["name"]!.GetValue<string>() == "Ready");
    }

    [Fact]
    public void The_openAPI_schema_accepts_a_sensible_shop_and_refuses_bad_fields()
    {
        var crd = YamlJson.Documents(File.ReadAllText(CommittedPath)).Single()!;
        var schemaNode = crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.DeepClone();
        var schema = OfflineSchemas.FromText(schemaNode.ToJsonString());
        var shop = JsonNode.Parse("""
            { "apiVersion": "gomicro.io/v1alpha1", "kind": "GoMicroShop", "metadata": { "name": "shop" },
              "spec": { "version": "1.0.0", "services": { "users": { "replicas": 2 } }, "postgres": { "storageSize": "5Gi" } } }
            """)!;
        Assert.True(schema.Evaluate(JsonSerializer.SerializeToElement(shop)).IsValid);

        foreach (var (path, value) in new (string, JsonNode?)[] { ("replicas", 51), ("replicas", -1), ("storageSize", "lots"), ("version", ""), ("dataRetention", "Sometimes") })
        {
            var bad = shop.DeepClone();
            switch (path)
            {
                case "replicas": bad["spec"]!["services"]!["users"]!["replicas"] = value; break;
                case "storageSize": bad["spec"]!["postgres"]!["storageSize"] = value; break;
                default: bad["spec"]![path] = value; break;
            }
            Assert.False(schema.Evaluate(JsonSerializer.SerializeToElement(bad)).IsValid, $"{path} = {value?.ToJsonString()} was accepted");
        }
        var missingVersion = shop.DeepClone();
        missingVersion["spec"]!.AsObject().Remove("version");
        Assert.False(schema.Evaluate(JsonSerializer.SerializeToElement(missingVersion)).IsValid);
    }

    [Fact]
    public void Defaults_in_the_schema_are_the_initial_values_of_the_CSharp_types_field_by_field()
    {
        var crd = YamlJson.Documents(File.ReadAllText(CommittedPath)).Single()!;
        var spec = crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!["properties"]!;
        var defaults = new GoMicroShopSpec();
        Assert.Equal(defaults.ImageRegistry, spec["imageRegistry"]!["default"]!.GetValue<string>());
        Assert.Equal(defaults.Postgres.Image, spec["postgres"]!["properties"]!["image"]!["default"]!.GetValue<string>());
        Assert.Equal(defaults.RabbitMq.Image, spec["rabbitmq"]!["properties"]!["image"]!["default"]!.GetValue<string>());
        Assert.Equal(defaults.Services.Users.Replicas, spec["services"]!["properties"]!["users"]!["properties"]!["replicas"]!["default"]!.GetValue<long>());
        Assert.Equal("Retain", spec["dataRetention"]!["default"]!.GetValue<string>());
        // Each store's defaults sit on its own fields, so they survive a block given in part.
        Assert.Equal("512Mi", spec["rabbitmq"]!["properties"]!["resources"]!["properties"]!["memory"]!["default"]!.GetValue<string>());
        Assert.Equal(defaults.Redis.Resources.Memory, spec["redis"]!["properties"]!["resources"]!["properties"]!["memory"]!["default"]!.GetValue<string>());
        Assert.Empty(spec["rabbitmq"]!["default"]!.AsObject());
    }
}
