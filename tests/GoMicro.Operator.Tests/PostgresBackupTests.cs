using GoMicro.Operator.Crd;
using GoMicro.Operator.Resources;
using k8s.Models;

namespace GoMicro.Operator.Tests;

/// <summary>postgres.backup: a CronJob and a volume per database, rendered as a hardened pod that only its database admits.</summary>
public sealed class PostgresBackupTests
{
    private static IReadOnlyList<k8s.IKubernetesObject<V1ObjectMeta>> Children(Action<PostgresBackupSpec>? configure = null) =>
        ShopResources.Build(new ShopNames(TestShops.New("acme", configure: s =>
        {
            s.Postgres.Backup = new PostgresBackupSpec();
            configure?.Invoke(s.Postgres.Backup);
        })));

    [Fact]
    public void Without_backup_there_is_no_CronJob_and_no_backup_volume()
    {
        var children = ShopResources.Build(new ShopNames(TestShops.New("acme")));
        Assert.Empty(children.OfType<V1CronJob>());
        Assert.Empty(children.OfType<V1PersistentVolumeClaim>());
    }

    [Fact]
    public void Each_database_gets_a_CronJob_that_runs_the_backup_script_on_its_own_image_with_its_own_credentials()
    {
        var children = Children(b => { b.Schedule = "0 3 * * *"; b.Retention = 14; b.TimeZone = "Europe/Berlin"; });
        var jobs = children.OfType<V1CronJob>().ToDictionary(j => j.Metadata.Name);

        Assert.Equal(["acme-payments-db", "acme-products-db", "acme-users-db"], jobs.Keys.Order());
        var users = jobs["acme-users-db"];
        Assert.Equal(("0 3 * * *", "Europe/Berlin", "Forbid"), (users.Spec.Schedule, users.Spec.TimeZone, users.Spec.ConcurrencyPolicy));
        var pod = users.Spec.JobTemplate.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        Assert.Equal(new GoMicroShopSpec().Postgres.Image, container.Image);
        Assert.Equal(["sh", "-c", PostgresBackups.Script], container.Command);
        Assert.Contains("pg_dump --format=custom", PostgresBackups.Script, StringComparison.Ordinal);
        var env = container.Env.ToDictionary(e => e.Name);
        Assert.Equal(("acme-users-db", "5432", "users", "/backup", "14"), (env["PGHOST"].Value, env["PGPORT"].Value, env["PGDATABASE"].Value, env["BACKUP_DIR"].Value, env["BACKUP_KEEP"].Value));
        Assert.Equal(("acme-users-db", "username"), (env["PGUSER"].ValueFrom.SecretKeyRef.Name, env["PGUSER"].ValueFrom.SecretKeyRef.Key));
        Assert.Equal(("acme-users-db", "password"), (env["PGPASSWORD"].ValueFrom.SecretKeyRef.Name, env["PGPASSWORD"].ValueFrom.SecretKeyRef.Key));
        // The Secret the operator generates for that database holds those keys.
        var secret = ShopSecrets.Generate(new ShopNames(TestShops.New("acme"))).Single(s => s.Metadata.Name == "acme-users-db");
        Assert.True(secret.StringData.ContainsKey("username") && secret.StringData.ContainsKey("password"));
        var backupVolume = pod.Volumes.Single(v => v.PersistentVolumeClaim is not null);
        Assert.Equal("acme-users-db-backup", backupVolume.PersistentVolumeClaim.ClaimName);
        Assert.Contains(container.VolumeMounts, m => m.Name == backupVolume.Name && m.MountPath == "/backup");
        Assert.Equal("Never", pod.RestartPolicy);
    }

    [Fact]
    public void The_backup_volumes_outlive_the_shop_like_the_databases_own_and_have_the_size_asked_for()
    {
        var claims = Children(b => { b.StorageSize = "20Gi"; b.StorageClassName = "backup"; }).OfType<V1PersistentVolumeClaim>().ToList();

        Assert.Equal(["acme-payments-db-backup", "acme-products-db-backup", "acme-users-db-backup"], claims.Select(c => c.Metadata.Name).Order());
        Assert.All(claims, c =>
        {
            Assert.Null(c.Metadata.OwnerReferences); // kept on delete unless dataRetention: Delete (the finalizer selects them by label)
            Assert.Equal(("acme", "gomicro-operator"), (c.Metadata.Labels["app.kubernetes.io/instance"], c.Metadata.Labels["app.kubernetes.io/managed-by"]));
            Assert.Equal(("20Gi", "backup"), (c.Spec.Resources.Requests["storage"].ToString(), c.Spec.StorageClassName));
        });
    }

    [Fact]
    public void Backup_pods_pass_Pod_Security_restricted_with_a_read_only_root()
    {
        foreach (var job in Children().OfType<V1CronJob>())
        {
            var pod = job.Spec.JobTemplate.Spec.Template.Spec;
            Assert.True(PodSecurityRestricted.Violations(pod).Count == 0, $"{job.Metadata.Name}: {string.Join("; ", PodSecurityRestricted.Violations(pod))}");
            Assert.All(pod.Containers, c => Assert.True(c.SecurityContext.ReadOnlyRootFilesystem));
            Assert.Equal((999L, 999L), (pod.SecurityContext.RunAsUser!.Value, pod.SecurityContext.FsGroup!.Value));
            Assert.False(pod.AutomountServiceAccountToken);
        }
    }

    [Fact]
    public void Each_database_admits_its_own_backup_pods_and_no_other_databases()
    {
        var children = Children();
        var policies = children.OfType<V1NetworkPolicy>().ToList();
        static bool Selects(V1LabelSelector selector, IDictionary<string, string> labels) => selector.MatchLabels.All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value);

        foreach (var job in children.OfType<V1CronJob>())
        {
            var podLabels = job.Spec.JobTemplate.Spec.Template.Metadata.Labels;
            var database = children.OfType<V1StatefulSet>().Single(s => s.Metadata.Name == job.Metadata.Name);
            foreach (var store in children.OfType<V1StatefulSet>())
            {
                var policy = policies.Single(p => Selects(p.Spec.PodSelector, store.Spec.Template.Metadata.Labels));
                var admitted = policy.Spec.Ingress.Any(r => r.FromProperty.Any(peer => Selects(peer.PodSelector, podLabels)) && r.Ports.Any(p => p.Port.Value == "5432"));
                Assert.Equal(store == database, admitted);
            }
            // Not the database's own pods: its Service must never route to a backup pod.
            Assert.False(Selects(new V1LabelSelector { MatchLabels = database.Spec.Selector.MatchLabels }, podLabels));
        }
    }

    [Fact]
    public void CronJobs_and_volumes_are_valid_Kubernetes_1_32_objects_and_their_Jobs_names_fit()
    {
        var longest = new string('a', ShopNames.MaxShopNameLength);
        var children = ShopResources.Build(new ShopNames(TestShops.New(longest, configure: s => s.Postgres.Backup = new PostgresBackupSpec { StorageClassName = "fast" })))
            .Where(c => c is V1CronJob or V1PersistentVolumeClaim).ToList();

        Assert.Equal(6, children.Count);
        foreach (var child in children)
        {
            var errors = KubernetesSchemas.Validate(child);
            Assert.True(errors.Count == 0, $"{child.Kind} {child.Metadata.Name}:\n{string.Join("\n", errors.Take(10))}");
        }
        // A CronJob's name plus the 11 characters of its Jobs' suffix must be a valid label value (63).
        Assert.All(children.OfType<V1CronJob>(), j => Assert.True(j.Metadata.Name.Length <= 52, j.Metadata.Name));
    }
}
