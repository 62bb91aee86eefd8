using System.Globalization;
using System.Runtime.Intrinsics.X86;
using System.Text;
using System.Text.Json;
using Mesh.Engine.Compute;

namespace Mesh.Bench.Engine;

public sealed record GemmShapeResult(string Shape, double Gflops, double PercentOfPeak);

/// <summary>
/// One vector path's GEMM figures. A process runs one path (the JIT fixes it at start), so each run saves its
/// own and rebuilds the side-by-side table from every path saved for the model size.
/// </summary>
public sealed record GemmPathResult(string Path, string Backend, double PeakGflops, IReadOnlyList<GemmShapeResult> Shapes)
{
    public static string PathName(IComputeBackend compute) => compute switch
    {
        CpuComputeBackend { VectorBits: 512 } => "avx512",
        CpuComputeBackend => Avx2.IsSupported ? "avx2" : "simd256",
        Mesh.Engine.Compute.Gpu.IlgpuComputeBackend gpu => $"ilgpu-{gpu.AcceleratorType.ToString().ToLowerInvariant()}",
        _ => compute.Name,
    };

    /// <summary>Saves this path's figures and returns the path of the combined table.</summary>
    public string Save(string size)
    {
        Directory.CreateDirectory("bench-results");
        File.WriteAllText(System.IO.Path.Combine("bench-results", $"engine-{size}-gemm-{Path}.json"), JsonSerializer.Serialize(this));
        var all = Directory.GetFiles("bench-results", $"engine-{size}-gemm-*.json")
            .Order(StringComparer.Ordinal)
            .Select(f => JsonSerializer.Deserialize<GemmPathResult>(File.ReadAllText(f))!)
            .ToList();
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"### GEMM by vector path, model '{size}' (% of the FMA peak each path's process measured)").AppendLine();
        table.Append("| path | backend | FMA peak GFLOP/s |");
        foreach (var shape in Shapes)
        {
            table.Append(CultureInfo.InvariantCulture, $" {shape.Shape} |");
        }
        table.AppendLine().Append("| --- | --- | --- |").AppendLine(string.Concat(Shapes.Select(_ => " --- |")));
        foreach (var result in all)
        {
            table.Append(CultureInfo.InvariantCulture, $"| {result.Path} | {result.Backend} | {result.PeakGflops:F0} |");
            foreach (var shape in result.Shapes)
            {
                table.Append(CultureInfo.InvariantCulture, $" {shape.Gflops:F0} GFLOP/s ({shape.PercentOfPeak:F0}%) |");
            }
            table.AppendLine();
        }
        table.AppendLine().AppendLine("The avx2 row is the same machine run with `DOTNET_EnableAVX512=0` (.NET 10; `DOTNET_EnableAVX512F` is ignored): 256-bit kernels, and a peak measured with 256-bit FMA chains.");
        var path = System.IO.Path.Combine("bench-results", $"engine-{size}-gemm-paths.md");
        File.WriteAllText(path, table.ToString());
        return path;
    }
}
