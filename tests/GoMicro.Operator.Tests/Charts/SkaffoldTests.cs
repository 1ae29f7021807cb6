using System.Text.Json;
using System.Text.Json.Nodes;
using GoMicro.Testing;
using static GoMicro.Operator.Tests.Charts.RenderedObjects;

namespace GoMicro.Operator.Tests.Charts;

/// <summary>skaffold.yaml: valid for skaffold v4beta14, and each helm release rendered by the real helm with exactly the values skaffold passes.</summary>
public sealed class SkaffoldTests
{
    private const string SkaffoldSchema = "https://raw.githubusercontent.com/GoogleContainerTools/skaffold/main/docs-v2/content/en/schemas/v4beta14.json";
    private const string Tag = "0c5e8f1a9b7d3c2e4f6a8b0c1d3e5f7a9b1c3d5e7f9a0b2c4d6e8f0a1b3c5d7e";
    private const string Digest = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    public static TheoryData<string, bool> Profiles()
    {
        TheoryData<string, bool> data = [];
        // "" is the config without a profile.
        foreach (var profile in Skaffold.Load()["profiles"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).Prepend(""))
        {
            data.Add(profile, false);
            data.Add(profile, true);
        }
        return data;
    }

    [Fact]
    public void Skaffold_builds_the_five_images_and_deploys_both_charts()
    {
        var skaffold = Skaffold.Load();
        Assert.Empty(OfflineSchemas.Validate(OfflineSchemas.Get(SkaffoldSchema), JsonSerializer.SerializeToElement(skaffold)));

        var projects = skaffold["build"]!["artifacts"]!.AsArray().Select(a => a!["docker"]!["buildArgs"]!["PROJECT"]!.GetValue<string>()).ToList();
        Assert.Equal(["GoMicro.Basket", "GoMicro.Operator", "GoMicro.Payments", "GoMicro.Products", "GoMicro.Users"], projects.Order());
        Assert.All(projects, p => Assert.True(
            File.Exists(Path.Combine(OfflineSchemas.RepositoryRoot, "services", p, p + ".csproj")) || File.Exists(Path.Combine(OfflineSchemas.RepositoryRoot, "operator", p, p + ".csproj")), p));

        var releases = skaffold["manifests"]!["helm"]!["releases"]!.AsArray();
        Assert.Equal(["charts/gomicro", "charts/gomicro-operator"], releases.Select(r => r!["chartPath"]!.GetValue<string>()).Order());
        Assert.Equal(["kind", "minikube"], skaffold["profiles"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()));
    }

    /// <summary>
    /// Every release, with the base config or a profile, and with images as a local build
    /// (never pushed) or a pushed one (registry with a port, tag and digest) name them:
    /// helm lint --strict passes, every object is valid, and each image reaches its pod spec.
    /// </summary>
    [Theory]
    [MemberData(nameof(Profiles))]
    public void Each_release_renders_with_exactly_the_values_skaffold_sets(string profile, bool pushed)
    {
        var skaffold = Skaffold.Load();
        if (profile.Length > 0)
        {
            skaffold = Skaffold.WithProfile(skaffold, profile);
            Assert.Empty(OfflineSchemas.Validate(OfflineSchemas.Get(SkaffoldSchema), JsonSerializer.SerializeToElement(skaffold)));
        }
        var images = skaffold["build"]!["artifacts"]!.AsArray().Select(a => a!["image"]!.GetValue<string>()).ToList();
        var references = images.ToDictionary(i => i, i => pushed ? $"localhost:5001/{i.Replace('/', '_')}:{Tag}@{Digest}" : $"{i}:{Tag}");
        var variables = Skaffold.ImageVariables(references.Select(r => (r.Key, r.Value)));

        foreach (var release in skaffold["manifests"]!["helm"]!["releases"]!.AsArray().Select(r => r!.AsObject()))
        {
            var chart = Path.Combine(OfflineSchemas.RepositoryRoot, release["chartPath"]!.GetValue<string>());
            var flags = Skaffold.HelmFlags(release, variables);
            Helm.Lint(chart, flags);
            var objects = Helm.Template(chart, release["name"]!.GetValue<string>(), release["namespace"]!.GetValue<string>(), flags);
            AssertValid(objects);
            Assert.All(objects.Where(o => Kind(o) is not ("ClusterRole" or "ClusterRoleBinding")),
                o => Assert.Equal(release["namespace"]!.GetValue<string>(), o["metadata"]!["namespace"]!.GetValue<string>()));

            if (release["chartPath"]!.GetValue<string>() == "charts/gomicro")
            {
                var services = objects.Single()["spec"]!["services"]!.AsObject();
                foreach (var service in new[] { "users", "products", "basket", "payments" })
                {
                    Assert.Equal(references["gomicro/" + service], services[service]!["image"]!.GetValue<string>());
                }
            }
            else
            {
                var pod = objects.Single(o => Kind(o) == "Deployment")["spec"]!["template"]!["spec"]!;
                // The operator's image is set from its repository and tag: the digest of a pushed build is not part of it.
                Assert.Equal($"{variables["IMAGE_REPO_gomicro_operator"]}:{Tag}", pod["containers"]![0]!["image"]!.GetValue<string>());
            }
        }
    }
}
