using GoMicro.Operator.Crd;
using GoMicro.Operator.Resources;
using k8s.Models;

namespace GoMicro.Operator.Tests;

public sealed class ShopResourcesTests
{
    [Fact]
    public void Every_child_and_secret_is_valid_against_the_strict_Kubernetes_1_32_schemas()
    {
        var names = new ShopNames(TestShops.New(configure: s => s.Postgres.StorageClassName = "fast"));
        var objects = ShopResources.Build(names).Cast<k8s.IKubernetesObject>().Concat(ShopSecrets.Generate(names)).ToList();

        Assert.Equal(
            ["ConfigMap", "Deployment", "NetworkPolicy", "Secret", "Service", "StatefulSet"],
            objects.Select(o => o.Kind).Distinct().Order());
        foreach (var obj in objects)
        {
            var errors = KubernetesSchemas.Validate(obj);
            Assert.True(errors.Count == 0, $"{obj.Kind} {((k8s.IKubernetesObject<V1ObjectMeta>)obj).Metadata.Name}:\n{string.Join("\n", errors.Take(10))}");
        }
    }

    [Fact]
    public void The_shop_owns_five_stateful_stores_five_deployments_and_a_service_for_each()
    {
        var shop = TestShops.New("acme");
        var children = ShopResources.Build(new ShopNames(shop));

        Assert.Equal(["acme-payments-db", "acme-products-db", "acme-rabbitmq", "acme-redis", "acme-users-db"],
            children.OfType<V1StatefulSet>().Select(s => s.Metadata.Name).Order());
        Assert.Equal(["acme-basket", "acme-gateway", "acme-payments", "acme-products", "acme-users"],
            children.OfType<V1Deployment>().Select(s => s.Metadata.Name).Order());
        Assert.Equal(11, children.OfType<V1Service>().Count());
        Assert.All(children, c =>
        {
            var owner = Assert.Single(c.Metadata.OwnerReferences);
            Assert.Equal((shop.Metadata.Uid, "GoMicroShop", true), (owner.Uid, owner.Kind, owner.Controller!.Value));
            Assert.Equal("gomicro-operator", c.Metadata.Labels["app.kubernetes.io/managed-by"]);
            Assert.Equal("acme", c.Metadata.Labels["app.kubernetes.io/instance"]);
        });
    }

    [Fact]
    public void Services_get_the_design_variables_from_the_shop_and_its_secrets()
    {
        var children = ShopResources.Build(new ShopNames(TestShops.New("acme", configure: s => { s.SeedSampleData = true; s.ImageRegistry = "registry.local/gomicro/"; s.Version = "2.1.0"; })));
        V1Container Container(string name) => children.OfType<V1Deployment>().Single(d => d.Metadata.Name == name).Spec.Template.Spec.Containers.Single();
        IDictionary<string, V1EnvVar> Env(string name) => Container(name).Env.ToDictionary(e => e.Name);

        var basket = Env("acme-basket");
        Assert.Equal("http://acme-products:8081", basket["Services__Products__Grpc"].Value);
        Assert.Equal(("acme-redis", "connection-string"), (basket["ConnectionStrings__Redis"].ValueFrom.SecretKeyRef.Name, basket["ConnectionStrings__Redis"].ValueFrom.SecretKeyRef.Key));
        Assert.Equal("http://acme-users:8080/.well-known/jwks.json", basket["Jwt__JwksUrl"].Value);
        Assert.Equal("acme-rabbitmq", basket["RabbitMq__Uri"].ValueFrom.SecretKeyRef.Name);

        var payments = Env("acme-payments");
        Assert.Equal("http://acme-basket:8081", payments["Services__Basket__Grpc"].Value);
        Assert.Equal("acme-payments-db", payments["ConnectionStrings__Postgres"].ValueFrom.SecretKeyRef.Name);
        Assert.Equal("true", payments["Database__MigrateOnStartup"].Value);

        var users = Env("acme-users");
        Assert.Equal("/var/run/secrets/gomicro/jwt/signing-key.pem", users["Jwt__SigningKeyPath"].Value);
        Assert.Equal("acme-admin", users["Admin__Password"].ValueFrom.SecretKeyRef.Name);
        Assert.False(users.ContainsKey("RabbitMq__Uri"));
        Assert.Equal("true", Env("acme-products")["Products__SeedSampleData"].Value);
        Assert.Equal("registry.local/gomicro/users:2.1.0", Container("acme-users").Image);
        Assert.Equal("/healthz/ready", Container("acme-users").ReadinessProbe.HttpGet.Path);
        Assert.True(Container("acme-users").SecurityContext.ReadOnlyRootFilesystem);
        Assert.All(children.OfType<V1Deployment>().Select(d => d.Metadata.Name).Where(n => n != "acme-gateway"), name =>
        {
            Assert.Equal("0x32", Env(name)["DOTNET_GCHeapHardLimitPercent"].Value); // half of the pod's memory limit for the GC heap
            Assert.Equal(Container(name).Resources.Requests["memory"], Container(name).Resources.Limits["memory"]);
        });
    }

    [Fact]
    public void A_store_given_in_part_keeps_its_own_defaults()
    {
        var shop = SchemaDefaults.Shop(k8s.KubernetesJson.Deserialize<object>("""
            { "apiVersion": "gomicro.io/v1alpha1", "kind": "GoMicroShop", "metadata": { "name": "shop", "namespace": "ns", "uid": "u" },
              "spec": { "version": "1", "postgres": { "storageSize": "5Gi" }, "rabbitmq": { "storageSize": "2Gi" } } }
            """));
        var sets = ShopResources.Build(new ShopNames(shop)).OfType<V1StatefulSet>().ToDictionary(s => s.Metadata.Name);

        var defaults = new GoMicroShopSpec();
        Assert.Equal(defaults.Postgres.Image, sets["shop-users-db"].Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("5Gi", sets["shop-users-db"].Spec.VolumeClaimTemplates[0].Spec.Resources.Requests["storage"].ToString());
        Assert.Equal(defaults.RabbitMq.Image, sets["shop-rabbitmq"].Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("512Mi", sets["shop-rabbitmq"].Spec.Template.Spec.Containers[0].Resources.Limits["memory"].ToString());
        Assert.Equal(defaults.Redis.Image, sets["shop-redis"].Spec.Template.Spec.Containers[0].Image);
    }

    [Fact]
    public void Volumes_are_kept_when_the_shop_is_deleted_unless_it_says_Delete()
    {
        static IEnumerable<string> Policies(DataRetention retention) =>
            ShopResources.Build(new ShopNames(TestShops.New(configure: s => s.DataRetention = retention)))
                .OfType<V1StatefulSet>().Select(s => s.Spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted).Distinct();

        Assert.Equal(["Retain"], Policies(DataRetention.Retain));
        Assert.Equal(["Delete"], Policies(DataRetention.Delete));
    }

    [Fact]
    public void The_gateway_serves_the_generated_krakend_config_with_this_shops_hosts()
    {
        var names = new ShopNames(TestShops.New("acme"));
        var config = Gateway.Configuration(names);
        var committed = File.ReadAllText(Path.Combine(GoMicro.Testing.OfflineSchemas.RepositoryRoot, "krakend", "krakend.json"));

        Assert.DoesNotMatch(@"https?://(users|products|basket|payments):", config);
        Assert.Contains("http://acme-users:8080/.well-known/jwks.json", config, StringComparison.Ordinal);
        Assert.Equal(
            System.Text.RegularExpressions.Regex.Count(committed, "\"http://"),
            System.Text.RegularExpressions.Regex.Count(config, "\"http://acme-"));
        var configMap = ShopResources.Build(names).OfType<V1ConfigMap>().Single();
        Assert.Equal(config, configMap.Data["krakend.json"]);
    }

    [Fact]
    public void Generated_credentials_are_random_and_consistent_with_the_addresses_they_serve()
    {
        var names = new ShopNames(TestShops.New("acme"));
        var first = ShopSecrets.Generate(names).ToDictionary(s => s.Metadata.Name);
        var second = ShopSecrets.Generate(names).ToDictionary(s => s.Metadata.Name);

        var db = first["acme-users-db"].StringData;
        Assert.Equal($"Host=acme-users-db;Database=users;Username=gomicro;Password={db["password"]}", db["connection-string"]);
        Assert.NotEqual(db["password"], second["acme-users-db"].StringData["password"]);
        Assert.StartsWith("amqp://gomicro:", first["acme-rabbitmq"].StringData["uri"], StringComparison.Ordinal);
        Assert.EndsWith("@acme-rabbitmq:5672/", first["acme-rabbitmq"].StringData["uri"], StringComparison.Ordinal);
        Assert.Contains("BEGIN PRIVATE KEY", first["acme-jwt"].StringData["signing-key.pem"], StringComparison.Ordinal);
        Assert.All(first.Values, s => Assert.Null(s.Metadata.OwnerReferences));
    }

    [Fact]
    public void Every_pod_of_a_shop_passes_Pod_Security_restricted_data_stores_included()
    {
        var children = ShopResources.Build(new ShopNames(TestShops.New("acme")));
        var pods = children.OfType<V1Deployment>().Select(d => (d.Metadata.Name, d.Spec.Template.Spec))
            .Concat(children.OfType<V1StatefulSet>().Select(s => (s.Metadata.Name, s.Spec.Template.Spec)))
            .ToList();

        Assert.Equal(10, pods.Count);
        Assert.All(pods, pod => Assert.True(PodSecurityRestricted.Violations(pod.Spec).Count == 0, $"{pod.Name}: {string.Join("; ", PodSecurityRestricted.Violations(pod.Spec))}"));
        // A read-only root wherever the image allows it; RabbitMQ's is not known to (see DataStores).
        var writable = pods.SelectMany(p => (p.Spec.InitContainers ?? []).Concat(p.Spec.Containers).Select(c => (p.Name, c)))
            .Where(x => x.c.SecurityContext?.ReadOnlyRootFilesystem != true).Select(x => x.Name).ToList();
        Assert.Equal(["acme-rabbitmq"], writable);
        // The stores run as the official images' own user, and own their volume through fsGroup.
        Assert.All(children.OfType<V1StatefulSet>(), s => Assert.Equal((999L, 999L), (s.Spec.Template.Spec.SecurityContext.RunAsUser!.Value, s.Spec.Template.Spec.SecurityContext.FsGroup!.Value)));
    }

    [Fact]
    public void A_service_that_migrates_at_start_waits_for_its_database_instead_of_crash_looping()
    {
        var children = ShopResources.Build(new ShopNames(TestShops.New("acme")));
        foreach (var service in new[] { "users", "products", "payments" })
        {
            var pod = children.OfType<V1Deployment>().Single(d => d.Metadata.Name == $"acme-{service}").Spec.Template.Spec;
            var wait = Assert.Single(pod.InitContainers);
            Assert.Equal(new GoMicroShopSpec().Postgres.Image, wait.Image);
            Assert.Contains("pg_isready", string.Join(" ", wait.Command), StringComparison.Ordinal);
            var env = wait.Env.ToDictionary(e => e.Name, e => e.Value);
            Assert.Equal(($"acme-{service}-db", service), (env["DATABASE_HOST"], env["DATABASE_NAME"]));
        }
        Assert.Null(children.OfType<V1Deployment>().Single(d => d.Metadata.Name == "acme-basket").Spec.Template.Spec.InitContainers);
    }

    [Fact]
    public void RabbitMQ_is_probed_over_TCP_like_the_cluster_operator_does_not_with_an_Erlang_VM_per_probe()
    {
        var broker = ShopResources.Build(new ShopNames(TestShops.New("acme"))).OfType<V1StatefulSet>().Single(s => s.Metadata.Name == "acme-rabbitmq").Spec.Template.Spec.Containers.Single();
        Assert.Equal("amqp", broker.ReadinessProbe.TcpSocket?.Port.Value);
        Assert.Equal("amqp", broker.LivenessProbe.TcpSocket?.Port.Value);
        Assert.Null(broker.ReadinessProbe.Exec);
        Assert.Null(broker.LivenessProbe.Exec);
        Assert.True(broker.LivenessProbe.PeriodSeconds * broker.LivenessProbe.FailureThreshold >= 120, "a node is restarted only after minutes without AMQP");
    }

    [Fact]
    public void Each_store_accepts_connections_only_from_the_services_that_use_it_and_the_gateway_reaches_only_their_HTTP_port()
    {
        var children = ShopResources.Build(new ShopNames(TestShops.New("acme")));
        var policies = children.OfType<V1NetworkPolicy>().ToList();
        var pods = children.OfType<V1Deployment>().ToDictionary(d => d.Metadata.Name, d => d.Spec.Template.Metadata.Labels);
        static bool Selects(V1LabelSelector selector, IDictionary<string, string> labels) => selector.MatchLabels.All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value);
        IEnumerable<string> Peers(IEnumerable<V1NetworkPolicyPeer> peers) => pods.Where(p => peers.Any(peer => Selects(peer.PodSelector, p.Value))).Select(p => p.Key).Order();

        var expected = new Dictionary<string, (int Port, string[] Clients)>
        {
            ["acme-users-db"] = (5432, ["acme-users"]),
            ["acme-products-db"] = (5432, ["acme-products"]),
            ["acme-payments-db"] = (5432, ["acme-payments"]),
            ["acme-redis"] = (6379, ["acme-basket"]),
            ["acme-rabbitmq"] = (5672, ["acme-basket", "acme-payments", "acme-products"]),
        };
        foreach (var store in children.OfType<V1StatefulSet>())
        {
            var policy = Assert.Single(policies, p => Selects(p.Spec.PodSelector, store.Spec.Template.Metadata.Labels));
            Assert.Equal(["Ingress"], policy.Spec.PolicyTypes);
            var rule = Assert.Single(policy.Spec.Ingress);
            Assert.Equal(expected[store.Metadata.Name].Clients, Peers(rule.FromProperty));
            Assert.Equal(expected[store.Metadata.Name].Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(rule.Ports).Port.Value);
            Assert.Contains(store.Spec.Template.Spec.Containers[0].Ports, p => p.ContainerPort == expected[store.Metadata.Name].Port);
        }

        var gateway = Assert.Single(policies, p => Selects(p.Spec.PodSelector, pods["acme-gateway"]));
        Assert.Equal(["Egress"], gateway.Spec.PolicyTypes);
        var toServices = gateway.Spec.Egress.Single(e => e.To is { Count: > 0 });
        Assert.Equal(["acme-basket", "acme-payments", "acme-products", "acme-users"], Peers(toServices.To));
        Assert.Equal("8080", Assert.Single(toServices.Ports).Port.Value);
        var dns = gateway.Spec.Egress.Single(e => e.To is null or { Count: 0 });
        Assert.All(dns.Ports, p => Assert.Equal("53", p.Port.Value));
        Assert.Equal(10, policies.Count);
    }

    [Fact]
    public void A_services_gRPC_port_accepts_only_the_services_that_call_it_and_its_HTTP_port_everyone()
    {
        var children = ShopResources.Build(new ShopNames(TestShops.New("acme")));
        var policies = children.OfType<V1NetworkPolicy>().ToList();
        var pods = children.OfType<V1Deployment>().ToDictionary(d => d.Metadata.Name, d => d.Spec.Template.Metadata.Labels);
        static bool Selects(V1LabelSelector selector, IDictionary<string, string> labels) => selector.MatchLabels.All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value);
        IEnumerable<string> Peers(IEnumerable<V1NetworkPolicyPeer> peers) => pods.Where(p => peers.Any(peer => Selects(peer.PodSelector, p.Value))).Select(p => p.Key).Order();

        // Who may open each service's gRPC port: DESIGN.md's arrows (basket → products, payments → basket, products).
        var grpcCallers = new Dictionary<string, string[]>
        {
            ["acme-users"] = [],
            ["acme-products"] = ["acme-basket", "acme-payments"],
            ["acme-basket"] = ["acme-payments"],
            ["acme-payments"] = [],
        };
        foreach (var (service, callers) in grpcCallers)
        {
            var policy = Assert.Single(policies, p => p.Spec.PolicyTypes.Contains("Ingress") && Selects(p.Spec.PodSelector, pods[service]));
            Assert.Equal(["Ingress"], policy.Spec.PolicyTypes);
            var http = Assert.Single(policy.Spec.Ingress, r => r.Ports.Any(p => p.Port.Value == "8080"));
            Assert.True(http.FromProperty is null or { Count: 0 }, $"{service}: HTTP is open to the gateway, the JWKS readers and Prometheus");
            var grpc = policy.Spec.Ingress.Where(r => r.Ports.Any(p => p.Port.Value == "8081")).ToList();
            if (callers.Length == 0)
            {
                Assert.Empty(grpc); // a rule without peers would admit everyone
            }
            else
            {
                Assert.Equal(callers, Peers(Assert.Single(grpc).FromProperty));
            }
            Assert.Equal(callers.Length > 0 ? 2 : 1, policy.Spec.Ingress.Count);
        }
        // The operator's configuration of each caller names exactly the services the policies admit it to.
        foreach (var (service, callers) in grpcCallers)
        {
            foreach (var caller in callers)
            {
                var env = children.OfType<V1Deployment>().Single(d => d.Metadata.Name == caller).Spec.Template.Spec.Containers[0].Env;
                Assert.Contains(env, e => e.Name.EndsWith("__Grpc", StringComparison.Ordinal) && e.Value == $"http://{service}:8081");
            }
        }
    }
}
