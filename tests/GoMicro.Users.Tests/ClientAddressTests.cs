using System.Net;
using GoMicro.ServiceDefaults.Hosting;
using Microsoft.Extensions.Configuration;

namespace GoMicro.Users.Tests;

public sealed class ClientAddressTests
{
    [Theory]
    [InlineData("203.0.113.9", "203.0.113.9")]
    [InlineData("::ffff:203.0.113.9", "203.0.113.9")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("::1", "::1")]
    public void An_IPv6_client_counts_as_its_64_block_an_IPv4_one_as_itself(string address, string client) =>
        Assert.Equal(client, ClientAddress.Of(IPAddress.Parse(address)));

    [Fact]
    public void Trusted_proxies_are_read_as_one_list_or_indexed_entries_and_empty_trusts_no_one()
    {
        static IConfiguration Config(params (string Key, string Value)[] values) =>
            new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

        var (proxies, networks) = TrustedProxies.Parse(Config(("Network:TrustedProxies", "10.0.0.7, 10.244.0.0/16 fd00::/8")));
        Assert.Equal([IPAddress.Parse("10.0.0.7")], proxies);
        Assert.Equal([System.Net.IPNetwork.Parse("10.244.0.0/16"), System.Net.IPNetwork.Parse("fd00::/8")], networks);

        (proxies, networks) = TrustedProxies.Parse(Config(("Network:TrustedProxies:0", "10.0.0.7"), ("Network:TrustedProxies:1", "10.244.0.0/16")));
        Assert.Single(proxies);
        Assert.Single(networks);

        (proxies, networks) = TrustedProxies.Parse(Config());
        Assert.Empty(proxies);
        Assert.Empty(networks);
    }
}
