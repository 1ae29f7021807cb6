using GoMicro.LoadGen;

// dotnet tools/GoMicro.LoadGen/bin/Release/net10.0/GoMicro.LoadGen.dll --help
// Every run is bounded by --seconds (after --warmup) and by --max-requests; exit code 1 when any
// request failed. scripts/load.sh, scripts/bench.sh and scripts/chaos.sh drive it.
return await LoadCommandLine.Build().Parse(args).InvokeAsync();
