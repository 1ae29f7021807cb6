using GoMicro.Operator.Crd;
using k8s.Models;

namespace GoMicro.Operator.Resources;

/// <summary>The name, labels and owner of everything one shop owns. Children are named &lt;shop&gt;-&lt;part&gt;.</summary>
internal sealed class ShopNames(GoMicroShop shop)
{
    public const string ManagedBy = "gomicro-operator";
    public const string InstanceLabel = "app.kubernetes.io/instance";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";

    /// <summary>A shop's name is the first part of every child's name, and a Service's name must start with a letter.</summary>
    public const string ShopNamePattern = "^[a-z]([-a-z0-9]*[a-z0-9])?$";

    /// <summary>
    /// A StatefulSet's name plus '-' and its 10-character revision hash must fit a 63-character
    /// label value (controller-revision-hash), so StatefulSet names stop at 52 characters.
    /// </summary>
    public const int StatefulSetNameLimit = 52;

    /// <summary>The longest shop name whose every child's name is still valid: 52 less "-payments-db".</summary>
    public static int MaxShopNameLength { get; } = StatefulSetNameLimit - 1
        - Microservices.WithDatabase.Select(ShopSecrets.Database).Append(ShopSecrets.Redis).Append(ShopSecrets.RabbitMq).Max(part => part.Length);

    public GoMicroShop Shop { get; } = shop;

    public string Namespace => Shop.Metadata.NamespaceProperty;

    public string Of(string part) => $"{Shop.Metadata.Name}-{part}";

    /// <summary>The selector of one part: stable for the life of the workload, so never widened.</summary>
    public Dictionary<string, string> Selector(string part) => new()
    {
        ["app.kubernetes.io/name"] = part,
        [InstanceLabel] = Shop.Metadata.Name,
    };

    public Dictionary<string, string> Labels(string part, string component) => new(Selector(part))
    {
        ["app.kubernetes.io/component"] = component,
        ["app.kubernetes.io/part-of"] = "gomicro",
        [ManagedByLabel] = ManagedBy,
    };

    /// <summary>Selects everything of this shop that the operator made.</summary>
    public string AllSelector => $"{InstanceLabel}={Shop.Metadata.Name},{ManagedByLabel}={ManagedBy}";

    public V1ObjectMeta Metadata(string part, string component) => new()
    {
        Name = Of(part),
        NamespaceProperty = Namespace,
        Labels = Labels(part, component),
        OwnerReferences = [Owner],
    };

    public V1OwnerReference Owner => new()
    {
        ApiVersion = GoMicroShop.GroupVersion,
        Kind = GoMicroShop.KindName,
        Name = Shop.Metadata.Name,
        Uid = Shop.Metadata.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };

    public string Image(string service, ServiceSpec spec) =>
        string.IsNullOrEmpty(spec.Image) ? $"{Shop.Spec.ImageRegistry.TrimEnd('/')}/{service}:{Shop.Spec.Version}" : spec.Image;

    public string PullPolicy => Shop.Spec.ImagePullPolicy.ToString();
}
