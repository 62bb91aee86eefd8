using Mesh.Bench.Engine;

// Mesh.Bench: measurements reported in the README, each repeatable with one command.
//   dotnet run -c Release --project Mesh.Bench -- engine [tiny|small]
var command = args.FirstOrDefault() ?? "help";
return command switch
{
    "engine" => await EngineBenchmark.RunAsync(args.ElementAtOrDefault(1) ?? "small"),
    _ => Help(),
};

static int Help()
{
    Console.WriteLine("""
        Mesh.Bench <command>
          engine [tiny|small]   FMA peak, GEMM GFLOP/s, prefill/decode tokens/s at batch 1 and 8, TTFT cold vs cached
        """);
    return 1;
}
