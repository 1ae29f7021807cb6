using System.Diagnostics;
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

    [Fact]
    public void The_operator_is_installed_before_the_shop_and_uninstalled_after_it()
    {
        var releases = Skaffold.Load()["manifests"]!["helm"]!["releases"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var names = releases.ToDictionary(r => r["chartPath"]!.GetValue<string>(), r => r["name"]!.GetValue<string>());
        var (op, shop) = (names["charts/gomicro-operator"], names["charts/gomicro"]);

        // skaffold installs level by level from dependsOn (pkg/skaffold/deploy/helm/dependencygraph.go),
        // keeping the list's order within a level ...
        Dictionary<string, int> levels = [];
        int Level(JsonObject r) => levels.TryGetValue(r["name"]!.GetValue<string>(), out var l) ? l
            : levels[r["name"]!.GetValue<string>()] = (r["dependsOn"]?.AsArray() ?? []).Select(d => Level(releases.Single(x => x["name"]!.GetValue<string>() == d!.GetValue<string>())) + 1).DefaultIfEmpty(0).Max();
        var install = releases.Select((r, i) => (r, i)).OrderBy(x => Level(x.r)).ThenBy(x => x.i).Select(x => x.r["name"]!.GetValue<string>());
        Assert.Equal([op, shop], install);
        // ... and waits for the operator (CRD, RBAC, a ready pod) before the shop.
        Assert.True(releases.Single(r => r["name"]!.GetValue<string>() == op)["wait"]!.GetValue<bool>());

        // skaffold delete and the end of skaffold dev uninstall in the list's order (helm.go Cleanup):
        // the shop while the operator still runs to remove its finalizer, then the operator.
        Assert.Equal([shop, op], releases.Select(r => r["name"]!.GetValue<string>()));
    }

    [Fact]
    public void Every_profile_keeps_BuildKit_and_never_pushes()
    {
        var skaffold = Skaffold.Load();
        Assert.True(skaffold["build"]!["local"]!["useBuildkit"]!.GetValue<bool>());
        // Without a profile skaffold decides: no push to a local cluster, a push to a remote one.
        Assert.Null(skaffold["build"]!["local"]!["push"]);
        foreach (var profile in skaffold["profiles"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()))
        {
            var local = Skaffold.WithProfile(skaffold, profile)["build"]!["local"];
            Assert.True(local?["useBuildkit"]?.GetValue<bool>() == true, $"profile {profile} drops useBuildkit: {local?.ToJsonString()}");
            Assert.True(local?["push"]?.GetValue<bool>() == false, $"profile {profile} may push: {local?.ToJsonString()}");
            Assert.Equal(skaffold["build"]!["artifacts"]!.ToJsonString(), Skaffold.WithProfile(skaffold, profile)["build"]!["artifacts"]!.ToJsonString());
        }
        Assert.Equal("kind-.*", skaffold["profiles"]![0]!["activation"]![0]!["kubeContext"]!.GetValue<string>());
        Assert.Equal("minikube", skaffold["profiles"]![1]!["activation"]![0]!["kubeContext"]!.GetValue<string>());
    }

    /// <summary>
    /// The post-deploy hook, run as skaffold runs it (its command, SKAFFOLD_KUBE_CONTEXT set)
    /// against a stand-in kubectl that answers like the API server: it waits past a Ready of
    /// an older generation, returns once the current one is Ready, and gives up, showing the
    /// shop's conditions, when the time is up.
    /// </summary>
    [Fact]
    public void After_each_deploy_skaffold_waits_a_bounded_time_for_the_shop_to_be_Ready()
    {
        var skaffold = Skaffold.Load();
        var hooks = skaffold["deploy"]!["helm"]!["hooks"]!["after"]!.AsArray();
        var command = Strings(hooks.Single()!["host"]!["command"]);
        var shop = skaffold["manifests"]!["helm"]!["releases"]!.AsArray().Single(r => r!["chartPath"]!.GetValue<string>() == "charts/gomicro")!;
        var (ns, name) = (shop["namespace"]!.GetValue<string>(), shop["name"]!.GetValue<string>());

        using var stub = new KubectlStub(generation: 3, statuses: ["/", "2/True", "3/False", "3/True"]);
        var (code, output) = stub.Run(command, limitSeconds: null);
        Assert.True(code == 0, output);
        var calls = stub.Calls();
        Assert.All(calls, c => Assert.StartsWith($"--context kind-gomicro -n {ns} get gomicroshops.gomicro.io/{name} -o ", c, StringComparison.Ordinal));
        // The generation, then four looks at the status (nothing yet, an older Ready, not ready, ready), then the summary.
        Assert.Equal(6, calls.Count);
        Assert.Contains("-o wide", calls[^1], StringComparison.Ordinal);

        using var never = new KubectlStub(generation: 3, statuses: ["3/False"]);
        var (failed, message) = never.Run(command, limitSeconds: 0);
        Assert.NotEqual(0, failed);
        Assert.Contains("is not Ready after 0s", message, StringComparison.Ordinal);
        Assert.Contains("conditions", never.Calls()[^1], StringComparison.Ordinal);
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

    /// <summary>kubectl and sleep stand-ins on the PATH: kubectl logs its arguments and answers the generation and the given statuses in turn.</summary>
    private sealed class KubectlStub : IDisposable
    {
        private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("gomicro-kubectl-");

        public KubectlStub(int generation, string[] statuses)
        {
            File.WriteAllLines(Path.Combine(_dir.FullName, "statuses"), statuses);
            Write("kubectl", $$"""
                #!/bin/sh
                dir=$(dirname "$0")
                printf '%s\n' "$*" >> "$dir/calls"
                case "$*" in
                  *'{.metadata.generation}'*) printf %s {{generation}} ;;
                  *'{.status.observedGeneration}'*)
                    line=$(head -n 1 "$dir/statuses")
                    [ "$(wc -l < "$dir/statuses")" -gt 1 ] && sed -i 1d "$dir/statuses"
                    printf %s "$line" ;;
                  *conditions*) echo "Ready=False ComponentsNotReady: Waiting for payments." ;;
                  *'-o wide'*) echo "NAME READY" ;;
                  *) echo "unexpected kubectl $*" >&2; exit 2 ;;
                esac
                """);
            Write("sleep", "#!/bin/sh");
        }

        public (int Code, string Output) Run(List<string> command, int? limitSeconds)
        {
            var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in command.Skip(1))
            {
                start.ArgumentList.Add(argument);
            }
            start.Environment["PATH"] = _dir.FullName + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
            start.Environment["SKAFFOLD_KUBE_CONTEXT"] = "kind-gomicro";
            start.Environment.Remove("GOMICRO_WAIT_SECONDS");
            if (limitSeconds is { } limit)
            {
                start.Environment["GOMICRO_WAIT_SECONDS"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("the hook did not end within 30 s");
            }
            return (process.ExitCode, stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult());
        }

        public List<string> Calls() => [.. File.ReadAllLines(Path.Combine(_dir.FullName, "calls"))];

        public void Dispose() => _dir.Delete(recursive: true);

        private void Write(string name, string script)
        {
            if (OperatingSystem.IsWindows())
            {
                throw new PlatformNotSupportedException("the hook is a POSIX sh script (os: [darwin, linux]); run this test on Linux or macOS");
            }
            var path = Path.Combine(_dir.FullName, name);
            File.WriteAllText(path, script.ReplaceLineEndings("\n") + "\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
