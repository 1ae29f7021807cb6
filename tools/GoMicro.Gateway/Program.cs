using GoMicro.Gateway;

// dotnet run --project tools/GoMicro.Gateway [-- <repository root>]
// Rewrites krakend/krakend.json; a test fails when the committed file differs from this output.
var root = args.Length > 0 ? args[0] : FindRepositoryRoot();
var tokens = TokenSettings.FromRepository(root);
var path = Path.Combine(root, "krakend", "krakend.json");
File.WriteAllText(path, KrakendConfig.ToJson(KrakendConfig.Build(GatewayRoutes.Discover(), tokens)));
Console.WriteLine($"wrote {path}");

static string FindRepositoryRoot()
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
