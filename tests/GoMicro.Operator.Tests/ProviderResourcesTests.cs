using System.Text.Json;
using System.Text.Json.Nodes;
using GoMicro.Operator.Crd;
using GoMicro.Operator.Rendering;
using GoMicro.Operator.Resources;
using GoMicro.Operator.Resources.Providers;
using GoMicro.Testing;
using k8s;
using k8s.Models;

namespace GoMicro.Operator.Tests;

/// <summary>What the operator renders for each data-store provider (pure builders, no API server).</summary>
public sealed class ProviderResourcesTests
{
    /// <summary>A shop on CloudNativePG and the RabbitMQ cluster operator, as the README's production example.</summary>
    public static GoMicroShop Production(string name = "acme", Action<GoMicroShopSpec>? configure = null, string ns = "shop-test") => TestShops.New(name, ns, s =>
    {
        s.Postgres.Provider = PostgresProvider.CloudNativePG;
        s.Postgres.StorageSize = "20Gi";
        s.Postgres.StorageClassName = "fast";
        s.Postgres.CloudNativePG = new CloudNativePGSpec
        {
            Instances = 3,
            Backup = new CloudNativePGBackupSpec { Schedule = "0 0 3 * * *", Method = CloudNativePGBackupMethod.VolumeSnapshot, VolumeSnapshotClassName = "csi-snapclass" },
        };
        s.RabbitMq.Provider = RabbitMqProvider.ClusterOperator;
        s.RabbitMq.StorageSize = "10Gi";
        s.RabbitMq.ClusterOperator = new RabbitMqClusterOperatorSpec { Replicas = 3 };
        configure?.Invoke(s);
    });

    public static GoMicroShop External(string name = "acme", string ns = "shop-test") => TestShops.New(name, ns, s =>
    {
        s.Postgres.Provider = PostgresProvider.External;
        s.Postgres.SecretName = "managed-stores";
        s.Redis.Provider = RedisProvider.External;
        s.Redis.SecretName = "managed-stores";
        s.RabbitMq.Provider = RabbitMqProvider.External;
        s.RabbitMq.SecretName = "managed-broker";
    });

    public static TheoryData<string> Shops => ["statefulset", "production", "barman-cloud-plugin", "no-backup", "external"];

    private static GoMicroShop Shop(string which) => which switch
    {
        "statefulset" => TestShops.New("acme"),
        "production" => Production(),
        "barman-cloud-plugin" => Production(configure: s => s.Postgres.CloudNativePG!.Backup = new CloudNativePGBackupSpec
        {
            Schedule = "@daily",
            Method = CloudNativePGBackupMethod.BarmanCloudPlugin,
            ObjectStoreName = "shop-backups",
        }),
        "no-backup" => Production(configure: s => { s.Postgres.CloudNativePG = null; s.RabbitMq.ClusterOperator = null; s.Redis.Provider = RedisProvider.External; s.Redis.SecretName = "redis"; }),
        _ => External(),
    };

    private static List<IKubernetesObject<V1ObjectMeta>> Children(GoMicroShop shop) => [.. ShopResources.Build(new ShopNames(shop))];

    private static Dictionary<string, V1EnvVar> Env(IEnumerable<IKubernetesObject<V1ObjectMeta>> children, string deployment) =>
        children.OfType<V1Deployment>().Single(d => d.Metadata.Name == deployment).Spec.Template.Spec.Containers.Single().Env.ToDictionary(e => e.Name);

    [Theory]
    [MemberData(nameof(Shops))]
    public void Every_object_rendered_for_each_provider_is_valid_against_its_schema(string which)
    {
        var names = new ShopNames(Shop(which));
        var objects = ShopResources.Build(names).Cast<IKubernetesObject>().Concat(ShopSecrets.Generate(names)).ToList();

        foreach (var obj in objects)
        {
            var errors = ProviderSchemas.Validate(obj);
            Assert.True(errors.Count == 0, $"{obj.Kind} {((IKubernetesObject<V1ObjectMeta>)obj).Metadata.Name}:\n{string.Join("\n", errors.Take(10))}");
        }
        var kinds = objects.Select(o => o.Kind).ToHashSet();
        Assert.Equal(which is "production" or "barman-cloud-plugin" or "no-backup", kinds.Contains("Cluster") && kinds.Contains("RabbitmqCluster"));
        Assert.Equal(which is "production" or "barman-cloud-plugin", kinds.Contains("ScheduledBackup"));
    }

    [Fact]
    public void The_offline_CRD_schemas_refuse_what_their_operators_would()
    {
        var cluster = JsonNode.Parse(KubernetesJson.Serialize(Children(Production()).OfType<CnpgCluster>().First()))!;
        cluster["spec"]!["instance"] = 3; // misspelt
        Assert.NotEmpty(ProviderSchemas.Validate(JsonSerializer.SerializeToElement(cluster)));

        var broker = JsonNode.Parse(KubernetesJson.Serialize(Children(Production()).OfType<RabbitmqCluster>().Single()))!;
        broker["spec"]!["persistence"]!["storage"] = "lots";
        Assert.NotEmpty(ProviderSchemas.Validate(JsonSerializer.SerializeToElement(broker)));
    }

    [Fact]
    public void CloudNativePG_runs_one_Cluster_per_database_with_the_stores_image_storage_and_resources()
    {
        var children = Children(Production());

        var clusters = children.OfType<CnpgCluster>().ToDictionary(c => c.Metadata.Name);
        Assert.Equal(["acme-payments-db", "acme-products-db", "acme-users-db"], clusters.Keys.Order());
        var users = clusters["acme-users-db"].Spec;
        Assert.Equal(3, users.Instances);
        Assert.Equal(new GoMicroShopSpec().Postgres.Image, users.ImageName);
        Assert.Equal(("20Gi", "fast"), (users.Storage.Size, users.Storage.StorageClass));
        Assert.Equal(("users", "gomicro"), (users.Bootstrap!.InitDb.Database, users.Bootstrap.InitDb.Owner));
        Assert.Equal("256Mi", users.Resources!.Limits["memory"].ToString());
        Assert.Equal("csi-snapclass", users.Backup!.VolumeSnapshot!.ClassName);
        Assert.Null(users.Plugins);
        // The shop runs no PostgreSQL of its own, and makes no credentials for one.
        Assert.DoesNotContain(children.OfType<V1StatefulSet>(), s => s.Metadata.Name.EndsWith("-db", StringComparison.Ordinal));
        Assert.DoesNotContain(children.OfType<V1Service>(), s => s.Metadata.Name.EndsWith("-db", StringComparison.Ordinal));
        Assert.DoesNotContain(ShopSecrets.Generate(new ShopNames(Production())), s => s.Metadata.Name.EndsWith("-db", StringComparison.Ordinal));

        var backups = children.OfType<CnpgScheduledBackup>().ToDictionary(b => b.Metadata.Name);
        Assert.Equal(clusters.Keys.Order(), backups.Keys.Order());
        var backup = backups["acme-users-db"].Spec;
        Assert.Equal(("0 0 3 * * *", "acme-users-db", "volumeSnapshot", true, "cluster"), (backup.Schedule, backup.Cluster.Name, backup.Method, backup.Immediate!.Value, backup.BackupOwnerReference!));
    }

    [Fact]
    public void Backups_to_object_storage_go_through_the_Barman_Cloud_Plugin_which_also_archives_WAL()
    {
        var children = Children(Production(configure: s => s.Postgres.CloudNativePG!.Backup = new CloudNativePGBackupSpec { Schedule = "@daily", Method = CloudNativePGBackupMethod.BarmanCloudPlugin, ObjectStoreName = "shop-backups" }));

        var cluster = children.OfType<CnpgCluster>().Single(c => c.Metadata.Name == "acme-products-db").Spec;
        var plugin = Assert.Single(cluster.Plugins!);
        Assert.Equal(("barman-cloud.cloudnative-pg.io", true, "shop-backups"), (plugin.Name, plugin.IsWalArchiver!.Value, plugin.Parameters!["barmanObjectName"]));
        Assert.Null(cluster.Backup);
        var backup = children.OfType<CnpgScheduledBackup>().Single(b => b.Metadata.Name == "acme-products-db").Spec;
        Assert.Equal(("plugin", "barman-cloud.cloudnative-pg.io"), (backup.Method, backup.PluginConfiguration!.Name));
    }

    [Fact]
    public void Services_reach_CloudNativePG_through_the_read_write_Service_with_the_credentials_of_its_application_Secret()
    {
        var children = Children(Production());

        foreach (var service in new[] { "users", "products", "payments" })
        {
            var env = Env(children, $"acme-{service}");
            Assert.Equal($"Host=acme-{service}-db-rw;Port=5432;Database={service}", env["ConnectionStrings__Postgres"].Value);
            Assert.DoesNotContain("Password", env["ConnectionStrings__Postgres"].Value, StringComparison.Ordinal);
            // Npgsql takes the user and password from PGUSER and PGPASSWORD when the connection string has none.
            Assert.Equal(($"acme-{service}-db-app", "username"), (env["PGUSER"].ValueFrom.SecretKeyRef.Name, env["PGUSER"].ValueFrom.SecretKeyRef.Key));
            Assert.Equal(($"acme-{service}-db-app", "password"), (env["PGPASSWORD"].ValueFrom.SecretKeyRef.Name, env["PGPASSWORD"].ValueFrom.SecretKeyRef.Key));

            var wait = Assert.Single(children.OfType<V1Deployment>().Single(d => d.Metadata.Name == $"acme-{service}").Spec.Template.Spec.InitContainers);
            Assert.Equal($"acme-{service}-db-rw", wait.Env.Single(e => e.Name == "DATABASE_HOST").Value);
        }
    }

    [Fact]
    public void The_cluster_operator_runs_RabbitMQ_and_the_services_take_its_default_users_URI()
    {
        var children = Children(Production());

        var broker = Assert.Single(children.OfType<RabbitmqCluster>());
        Assert.Equal("acme-rabbitmq", broker.Metadata.Name);
        Assert.Equal((3, new GoMicroShopSpec().RabbitMq.Image, "10Gi"), (broker.Spec.Replicas, broker.Spec.Image, broker.Spec.Persistence.Storage));
        Assert.Equal("512Mi", broker.Spec.Resources!.Requests["memory"].ToString());
        foreach (var service in new[] { "products", "basket", "payments" })
        {
            var uri = Env(children, $"acme-{service}")["RabbitMq__Uri"].ValueFrom.SecretKeyRef;
            Assert.Equal(("acme-rabbitmq-default-user", "connection_string"), (uri.Name, uri.Key));
        }
        Assert.DoesNotContain(children.OfType<V1StatefulSet>(), s => s.Metadata.Name == "acme-rabbitmq");
        Assert.DoesNotContain(children.OfType<V1Service>(), s => s.Metadata.Name == "acme-rabbitmq"); // the cluster operator's own Service has that name
        Assert.DoesNotContain(ShopSecrets.Generate(new ShopNames(Production())), s => s.Metadata.Name == "acme-rabbitmq");
        // Redis stays the shop's own.
        Assert.Contains(children.OfType<V1StatefulSet>(), s => s.Metadata.Name == "acme-redis");
    }

    [Fact]
    public void External_stores_are_read_from_the_Secret_the_user_names_and_the_shop_runs_and_guards_none_of_them()
    {
        var shop = External();
        var children = Children(shop);

        foreach (var service in new[] { "users", "products", "payments" })
        {
            var env = Env(children, $"acme-{service}");
            Assert.Equal(("managed-stores", service), (env["ConnectionStrings__Postgres"].ValueFrom.SecretKeyRef.Name, env["ConnectionStrings__Postgres"].ValueFrom.SecretKeyRef.Key));
            Assert.False(env.ContainsKey("PGPASSWORD"));
            // Nothing in the cluster to wait for: the service's own start-up retries and readiness cover it.
            Assert.Null(children.OfType<V1Deployment>().Single(d => d.Metadata.Name == $"acme-{service}").Spec.Template.Spec.InitContainers);
        }
        var basket = Env(children, "acme-basket");
        Assert.Equal(("managed-stores", "redis"), (basket["ConnectionStrings__Redis"].ValueFrom.SecretKeyRef.Name, basket["ConnectionStrings__Redis"].ValueFrom.SecretKeyRef.Key));
        Assert.Equal(("managed-broker", "rabbitmq"), (basket["RabbitMq__Uri"].ValueFrom.SecretKeyRef.Name, basket["RabbitMq__Uri"].ValueFrom.SecretKeyRef.Key));

        Assert.Empty(children.OfType<V1StatefulSet>());
        Assert.DoesNotContain(children, c => c.Kind is "Cluster" or "RabbitmqCluster" or "ScheduledBackup");
        Assert.Equal(["acme-basket", "acme-gateway", "acme-payments", "acme-products", "acme-users"], children.OfType<V1NetworkPolicy>().Select(p => p.Metadata.Name).Order());
        Assert.Equal(["acme-admin", "acme-jwt", "acme-service-keys"], ShopSecrets.Generate(new ShopNames(shop)).Select(s => s.Metadata.Name).Order());
    }

    [Fact]
    public void What_holds_a_providers_data_has_no_owner_reference_so_it_outlives_a_shop_that_keeps_its_data()
    {
        var children = Children(Production());

        var provided = children.Where(c => c is CnpgCluster or CnpgScheduledBackup or RabbitmqCluster).ToList();
        Assert.Equal(7, provided.Count);
        Assert.All(provided, c =>
        {
            Assert.Null(c.Metadata.OwnerReferences);
            Assert.Equal(("acme", "gomicro-operator"), (c.Metadata.Labels["app.kubernetes.io/instance"], c.Metadata.Labels["app.kubernetes.io/managed-by"]));
        });
        Assert.All(children.Except(provided), c => Assert.Single(c.Metadata.OwnerReferences));
    }

    [Fact]
    public void An_operator_run_store_accepts_its_data_port_only_from_its_services_and_its_own_members_selected_by_its_operators_labels()
    {
        var children = Children(Production());
        var policies = children.OfType<V1NetworkPolicy>().ToDictionary(p => p.Metadata.Name);

        var users = policies["acme-users-db"].Spec;
        Assert.Equal(new Dictionary<string, string> { ["cnpg.io/cluster"] = "acme-users-db" }, users.PodSelector.MatchLabels);
        var data = users.Ingress.Single(r => r.FromProperty is { Count: > 0 });
        Assert.Equal("5432", Assert.Single(data.Ports).Port.Value);
        Assert.Equal(
            [new Dictionary<string, string> { ["app.kubernetes.io/name"] = "users", ["app.kubernetes.io/instance"] = "acme" }, new Dictionary<string, string> { ["cnpg.io/cluster"] = "acme-users-db" }],
            data.FromProperty.Select(p => p.PodSelector.MatchLabels));
        // Every other port (CloudNativePG's status and metrics endpoints) is left to the operator.
        var rest = users.Ingress.Single(r => r.FromProperty is null or { Count: 0 });
        Assert.Equal([("1", 5431), ("5433", 65535)], rest.Ports.Select(p => (p.Port.Value, p.EndPort!.Value)));

        var broker = policies["acme-rabbitmq"].Spec;
        Assert.Equal(new Dictionary<string, string> { ["app.kubernetes.io/name"] = "acme-rabbitmq", ["app.kubernetes.io/component"] = "rabbitmq" }, broker.PodSelector.MatchLabels);
        var amqp = broker.Ingress.Single(r => r.FromProperty is { Count: > 0 });
        Assert.Equal("5672", Assert.Single(amqp.Ports).Port.Value);
        Assert.Equal(["basket", "payments", "products"], amqp.FromProperty.Select(p => p.PodSelector.MatchLabels["app.kubernetes.io/name"]).Where(n => n != "acme-rabbitmq").Order());

        // Redis is still the shop's own StatefulSet, guarded as before.
        Assert.Equal(new ShopNames(Production()).Selector("redis"), policies["acme-redis"].Spec.PodSelector.MatchLabels);
        Assert.Equal(10, policies.Count);
    }

    [Fact]
    public void The_READMEs_production_shaped_shop_is_accepted_by_the_CRD_and_renders_valid_objects()
    {
        var readme = File.ReadAllText(Path.Combine(OfflineSchemas.RepositoryRoot, "README.md"));
        var section = readme[readme.IndexOf("A production-shaped shop", StringComparison.Ordinal)..];
        var start = section.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        var yaml = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
        var shop = YamlJson.Documents(yaml).Single()!.AsObject();
        CrdRules.ApplyDefaults(shop);
        Assert.Empty(CrdRules.Violations(null, shop));
        Assert.Equal("cloudnative-pg", shop["spec"]!["postgres"]!["provider"]!.GetValue<string>());

        var dir = Directory.CreateTempSubdirectory("gomicro-render-readme-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "shop.yaml"), yaml);
            using var output = new StringWriter();
            using var errors = new StringWriter();
            Assert.True(ShopRenderer.Run(["-f", Path.Combine(dir, "shop.yaml")], TextReader.Null, output, errors) == 0, errors.ToString());
            var objects = YamlJson.Documents(output.ToString()).OfType<JsonObject>().ToList();
            Assert.All(objects, o => Assert.Empty(ProviderSchemas.Validate(JsonSerializer.SerializeToElement(o))));
            var kinds = objects.Select(o => o["kind"]!.GetValue<string>()).ToList();
            Assert.Equal((3, 3, 1), (kinds.Count(k => k == "Cluster"), kinds.Count(k => k == "ScheduledBackup"), kinds.Count(k => k == "RabbitmqCluster")));
            // Every store is run by someone else: no StatefulSet, and no policy for the external Redis.
            Assert.DoesNotContain("StatefulSet", kinds);
            Assert.DoesNotContain(objects, o => o["kind"]!.GetValue<string>() == "NetworkPolicy" && o["metadata"]!["name"]!.GetValue<string>() == "shop-redis");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Render_prints_the_providers_resources_valid_for_their_schemas()
    {
        var dir = Directory.CreateTempSubdirectory("gomicro-render-providers-").FullName;
        try
        {
            var file = Path.Combine(dir, "shop.yaml");
            File.WriteAllText(file, """
                apiVersion: gomicro.io/v1alpha1
                kind: GoMicroShop
                metadata: { name: demo, namespace: shop }
                spec:
                  version: 1.2.3
                  postgres: { provider: cloudnative-pg, cloudNativePG: { instances: 2 } }
                  rabbitmq: { provider: rabbitmq-cluster-operator }
                  redis: { provider: external, secretName: redis }
                """);
            using var output = new StringWriter();
            using var errors = new StringWriter();

            Assert.Equal(0, ShopRenderer.Run(["-f", file], TextReader.Null, output, errors));

            var objects = YamlJson.Documents(output.ToString()).OfType<JsonObject>().ToList();
            Assert.All(objects, o => Assert.Empty(ProviderSchemas.Validate(JsonSerializer.SerializeToElement(o))));
            Assert.Equal(3, objects.Count(o => o["kind"]!.GetValue<string>() == "Cluster"));
            // A provider block left out takes its defaults: the RabbitmqCluster gets 3 nodes.
            Assert.Equal(2, objects.First(o => o["kind"]!.GetValue<string>() == "Cluster")["spec"]!["instances"]!.GetValue<long>());
            Assert.Equal(3, objects.Single(o => o["kind"]!.GetValue<string>() == "RabbitmqCluster")["spec"]!["replicas"]!.GetValue<long>());

            File.WriteAllText(file, "apiVersion: gomicro.io/v1alpha1\nkind: GoMicroShop\nmetadata: { name: demo }\nspec: { version: '1', redis: { provider: external } }\n");
            using var refused = new StringWriter();
            Assert.Equal(2, ShopRenderer.Run(["-f", file], TextReader.Null, TextWriter.Null, refused));
            Assert.Contains("redis.provider external needs redis.secretName", refused.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
