using System.Globalization;
using Mesh.Contracts.Compute;
using Mesh.Bench.Coordinator;
using Mesh.Bench.Engine;
using Mesh.Bench.Routing;
using Mesh.Bench.Startup;

// Mesh.Bench: the measurements the README reports, each repeatable with one command (build in Release first):
//   dotnet run -c Release --project Mesh.Bench -- engine [tiny|small] [cpu|cuda|ilgpu-cpu]
//   dotnet run -c Release --project Mesh.Bench -- coordinator [rate=500] [seconds=10]
//   dotnet run -c Release --project Mesh.Bench -- routing [all|uniform|zipf|multiturn|lowshare]
//   dotnet run -c Release --project Mesh.Bench -- redis-outage [rate=50] [seconds=10]
//   dotnet run -c Release --project Mesh.Bench -- startup [runs=3]
var command = args.FirstOrDefault() ?? "help";
double Number(int index, double fallback) => args.Length > index ? double.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
return command switch
{
    "engine" => await EngineBenchmark.RunAsync(args.ElementAtOrDefault(1) ?? "small", args.ElementAtOrDefault(2) ?? ComputeBackendNames.Cpu),
    "engine-gemm" => EngineBenchmark.RunGemmOnly(args.ElementAtOrDefault(1) ?? "small", args.ElementAtOrDefault(2) ?? ComputeBackendNames.Cpu),
    "coordinator" => await CoordinatorBenchmark.RunAsync(Number(1, 500), (int)Number(2, 10)),
    "routing" => await RoutingSuite.RunAsync(args[1..]),
    "redis-outage" => await RedisOutageBenchmark.RunAsync(Number(1, 50), (int)Number(2, 10)),
    "startup" => await StartupBenchmark.RunAsync((int)Number(1, 3), Directory.GetCurrentDirectory()),
    _ => Help(),
};

static int Help()
{
    Console.WriteLine("""
        Mesh.Bench <command>
          engine [tiny|small] [backend]     FMA peak, GEMM GFLOP/s, prefill/decode tokens/s at batch 1 and 8, TTFT cold vs cached;
                                            backend cpu (default), cuda (a GPU through ILGPU) or ilgpu-cpu
          engine-gemm [tiny|small] [backend] the GEMM table alone
          coordinator [rate] [seconds]      coordinator overhead vs direct engine calls (p50/p99), Redis round trips per decision
          routing [workload]                the routing suite: uniform, zipf, multiturn, lowshare (or all), every policy,
                                            rates up to capacity, 1/2/4 coordinators, an engine killed mid-run;
                                            routing real: the uniform shape, small, on four real tiny engines
          redis-outage [rate] [seconds]     request latency with Redis healthy, hung (SIGSTOP) and killed, side by side
          startup [runs]                    `dotnet run --project Mesh.AppHost` to a ready mesh, and SIGTERM to no process left (run from the repository root)
        Results are printed and saved under bench-results/ (markdown, and PNG plots).
        """);
    return 1;
}
