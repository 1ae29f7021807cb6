using k8s.Models;

namespace GoMicro.Operator.Tests;

/// <summary>
/// The checks of the Pod Security Standard "restricted" (Kubernetes 1.32) that a namespace
/// labelled pod-security.kubernetes.io/enforce=restricted applies to every pod it admits.
/// </summary>
public static class PodSecurityRestricted
{
    private static readonly HashSet<string> AllowedVolumes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

    public static IReadOnlyList<string> Violations(V1PodSpec pod)
    {
        List<string> found = [];
        if (pod.HostNetwork == true || pod.HostPID == true || pod.HostIPC == true)
        {
            found.Add("host namespaces");
        }
        foreach (var volume in pod.Volumes ?? [])
        {
            var type = System.Text.Json.Nodes.JsonNode.Parse(k8s.KubernetesJson.Serialize(volume))!.AsObject().Select(p => p.Key).First(k => k != "name");
            if (!AllowedVolumes.Contains(type))
            {
                found.Add($"volume {volume.Name} is {type}");
            }
        }
        foreach (var container in (pod.InitContainers ?? []).Concat(pod.Containers))
        {
            var context = container.SecurityContext;
            var where = $"container {container.Name}";
            if (context?.Privileged == true)
            {
                found.Add($"{where}: privileged");
            }
            if (context?.AllowPrivilegeEscalation != false)
            {
                found.Add($"{where}: allowPrivilegeEscalation is not false");
            }
            if (context?.Capabilities?.Drop?.Contains("ALL") != true)
            {
                found.Add($"{where}: capabilities do not drop ALL");
            }
            if ((context?.Capabilities?.Add ?? []).Any(c => c != "NET_BIND_SERVICE"))
            {
                found.Add($"{where}: adds capabilities");
            }
            if ((context?.RunAsNonRoot ?? pod.SecurityContext?.RunAsNonRoot) != true)
            {
                found.Add($"{where}: runAsNonRoot is not true");
            }
            if ((context?.RunAsUser ?? pod.SecurityContext?.RunAsUser) == 0)
            {
                found.Add($"{where}: runs as user 0");
            }
            if ((context?.SeccompProfile ?? pod.SecurityContext?.SeccompProfile)?.Type is not ("RuntimeDefault" or "Localhost"))
            {
                found.Add($"{where}: no RuntimeDefault seccomp profile");
            }
        }
        return found;
    }
}
