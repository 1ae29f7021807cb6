using GoMicro.Operator.Crd;
using k8s.Models;

namespace GoMicro.Operator.Tests;

public static class TestShops
{
    public static GoMicroShop New(string name = "shop", string ns = "shop-test", Action<GoMicroShopSpec>? configure = null)
    {
        var shop = new GoMicroShop
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Uid = Guid.NewGuid().ToString(), Generation = 1 },
            Spec = new GoMicroShopSpec { Version = "1.0.0" },
        };
        configure?.Invoke(shop.Spec);
        return shop;
    }
}
