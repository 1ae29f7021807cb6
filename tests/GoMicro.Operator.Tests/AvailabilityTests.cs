using GoMicro.Operator.Crd;
using GoMicro.Operator.Resources;
using k8s.Models;

namespace GoMicro.Operator.Tests;

/// <summary>Autoscalers, disruption budgets and spreading: what a shop that must stay up under load and drains gets.</summary>
public sealed class AvailabilityTests
{
    private static IReadOnlyList<k8s.IKubernetesObject<V1ObjectMeta>> Children(Action<GoMicroShopSpec> configure) =>
        ShopResources.Build(new ShopNames(TestShops.New("acme", configure: configure)));

    private static GoMicroShopSpec Production(GoMicroShopSpec s)
    {
        s.Services.Products.Autoscaling = new AutoscalingSpec { MinReplicas = 2, MaxReplicas = 8, TargetCPUUtilization = 60 };
        s.Services.Payments.Autoscaling = new AutoscalingSpec { MinReplicas = 1, MaxReplicas = 3 };
        s.Services.Basket.Replicas = 3;
        s.Gateway.Autoscaling = new AutoscalingSpec();
        return s;
    }

    [Fact]
    public void A_service_with_autoscaling_gets_a_CPU_autoscaler_and_its_Deployment_leaves_replicas_to_it()
    {
        var children = Children(s => Production(s));

        var hpa = children.OfType<V2HorizontalPodAutoscaler>().Single(h => h.Metadata.Name == "acme-products");
        Assert.Equal(("apps/v1", "Deployment", "acme-products"), (hpa.Spec.ScaleTargetRef.ApiVersion, hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name));
        Assert.Equal((2, 8), (hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas));
        var metric = Assert.Single(hpa.Spec.Metrics);
        Assert.Equal(("Resource", "cpu", "Utilization", 60), (metric.Type, metric.Resource.Name, metric.Resource.Target.Type, metric.Resource.Target.AverageUtilization!.Value));
        Assert.Equal(["acme-gateway", "acme-payments", "acme-products"], children.OfType<V2HorizontalPodAutoscaler>().Select(h => h.Metadata.Name).Order());

        var deployments = children.OfType<V1Deployment>().ToDictionary(d => d.Metadata.Name);
        Assert.Null(deployments["acme-products"].Spec.Replicas);
        Assert.Null(deployments["acme-gateway"].Spec.Replicas);
        Assert.Equal(3, deployments["acme-basket"].Spec.Replicas);
        Assert.Equal(1, deployments["acme-users"].Spec.Replicas);
        // Left out of the applied object, not sent as null: the operator must not own the field at all.
        Assert.DoesNotContain("\"replicas\"", k8s.KubernetesJson.Serialize(deployments["acme-products"].Spec), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_workload_that_runs_more_than_one_pod_has_a_disruption_budget_and_no_other_has()
    {
        var budgets = Children(s => Production(s)).OfType<V1PodDisruptionBudget>().ToList();

        // products (min 2), basket (3 replicas), gateway (min 2 by default); not payments (min 1) or users (1).
        Assert.Equal(["acme-basket", "acme-gateway", "acme-products"], budgets.Select(b => b.Metadata.Name).Order());
        var products = budgets.Single(b => b.Metadata.Name == "acme-products");
        Assert.Equal(1, products.Spec.MaxUnavailable.Value is string s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : Convert.ToInt32(products.Spec.MaxUnavailable.Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("AlwaysAllow", products.Spec.UnhealthyPodEvictionPolicy);
        Assert.Equal(new ShopNames(TestShops.New("acme")).Selector("products"), products.Spec.Selector.MatchLabels);

        Assert.Empty(Children(_ => { }).OfType<V1PodDisruptionBudget>());
        Assert.Empty(Children(_ => { }).OfType<V2HorizontalPodAutoscaler>());
    }

    [Fact]
    public void Services_and_the_gateway_spread_across_nodes_without_refusing_to_schedule_on_one()
    {
        var deployments = Children(_ => { }).OfType<V1Deployment>().ToList();

        Assert.Equal(5, deployments.Count);
        Assert.All(deployments, d =>
        {
            var spread = Assert.Single(d.Spec.Template.Spec.TopologySpreadConstraints);
            Assert.Equal(("kubernetes.io/hostname", "ScheduleAnyway", 1), (spread.TopologyKey, spread.WhenUnsatisfiable, spread.MaxSkew));
            Assert.Equal(d.Spec.Selector.MatchLabels, spread.LabelSelector.MatchLabels);
            Assert.Equal(["pod-template-hash"], spread.MatchLabelKeys);
        });
        // The data stores run one pod each: nothing to spread.
        Assert.All(Children(_ => { }).OfType<V1StatefulSet>(), s => Assert.Null(s.Spec.Template.Spec.TopologySpreadConstraints));
    }

    [Fact]
    public void Every_autoscaled_container_requests_CPU_so_utilization_can_be_computed()
    {
        var children = Children(s =>
        {
            Production(s);
            s.Services.Users.Autoscaling = new AutoscalingSpec();
            s.Services.Basket.Autoscaling = new AutoscalingSpec();
        });
        var deployments = children.OfType<V1Deployment>().ToDictionary(d => d.Metadata.Name);

        foreach (var hpa in children.OfType<V2HorizontalPodAutoscaler>())
        {
            var pod = deployments[hpa.Spec.ScaleTargetRef.Name].Spec.Template.Spec;
            Assert.All(pod.Containers, c => Assert.True(c.Resources?.Requests?.ContainsKey("cpu") == true, $"{hpa.Metadata.Name}/{c.Name} requests no CPU"));
        }
        Assert.Equal(5, children.OfType<V2HorizontalPodAutoscaler>().Count());
    }

    [Fact]
    public void Autoscalers_and_budgets_are_valid_Kubernetes_1_32_objects_owned_by_the_shop()
    {
        var children = Children(s => Production(s)).Where(c => c is V2HorizontalPodAutoscaler or V1PodDisruptionBudget or V1Deployment).ToList();

        Assert.Equal(11, children.Count);
        foreach (var child in children)
        {
            var errors = KubernetesSchemas.Validate(child);
            Assert.True(errors.Count == 0, $"{child.Kind} {child.Metadata.Name}:\n{string.Join("\n", errors.Take(10))}");
            Assert.Equal("GoMicroShop", Assert.Single(child.Metadata.OwnerReferences).Kind);
            Assert.Equal("gomicro-operator", child.Metadata.Labels["app.kubernetes.io/managed-by"]);
        }
    }
}
