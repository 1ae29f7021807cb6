namespace GoMicro.Gateway;

/// <summary>
/// The generator's command line. The committed krakend/krakend.json is always the peer-only
/// config (<see cref="ClientAddresses.PeerOnly"/>); a config that trusts a load balancer's
/// X-Forwarded-For is environment-specific, so it is written to a file of its own and never
/// over the committed one. Beside the committed config it writes the gateway's OpenAPI
/// document (<see cref="GatewayOpenApi"/>).
/// </summary>
public static class GeneratorCommand
{
    /// <summary>The gateway's OpenAPI document, beside krakend.json.</summary>
    public const string OpenApiFile = "openapi.json";

    public const string Usage = "usage: GoMicro.Gateway [<repository root>] [--trusted-proxy <ip|cidr>]... [--output <file>]";

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        string? root = null;
        string? target = null;
        var proxies = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--trusted-proxy" when i + 1 < args.Count:
                    proxies.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "--output" when i + 1 < args.Count:
                    target = args[++i];
                    break;
                case var arg when !arg.StartsWith("--", StringComparison.Ordinal) && root is null:
                    root = arg;
                    break;
                default:
                    error.WriteLine(Usage);
                    return 2;
            }
        }

        root ??= FindRepositoryRoot();
        var committed = Path.GetFullPath(Path.Combine(root, "krakend", "krakend.json"));
        var path = Path.GetFullPath(target ?? committed);
        ClientAddresses clients;
        try
        {
            clients = proxies.Count == 0 ? ClientAddresses.PeerOnly : ClientAddresses.Behind(proxies);
        }
        catch (ArgumentException e)
        {
            error.WriteLine(e.Message);
            return 2;
        }
        if (clients != ClientAddresses.PeerOnly && path == committed)
        {
            error.WriteLine($"--trusted-proxy writes an environment's own config: give --output (not {committed}, which stays peer-only).");
            return 2;
        }

        var tokens = TokenSettings.Default;
        var routes = GatewayRoutes.Discover();
        File.WriteAllText(path, KrakendConfig.ToJson(KrakendConfig.Build(routes, tokens, clients)));
        output.WriteLine($"wrote {path}");
        if (path == committed)
        {
            var openApi = Path.Combine(root, "krakend", OpenApiFile);
            File.WriteAllText(openApi, GatewayOpenApi.ToJson(GatewayOpenApi.Build(GatewayRoutes.Services, routes)));
            output.WriteLine($"wrote {openApi}");
        }
        return 0;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GoMicro.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Run inside the repository or pass its root.");
    }
}
