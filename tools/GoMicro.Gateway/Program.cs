using GoMicro.Gateway;

// dotnet run --project tools/GoMicro.Gateway [-- [<repository root>] [--trusted-proxy <ip|cidr>]... [--output <file>]]
// Without options it rewrites krakend/krakend.json; a test fails when the committed file differs
// from that output. --trusted-proxy writes a config for one environment to --output instead.
return GeneratorCommand.Run(args, Console.Out, Console.Error);
