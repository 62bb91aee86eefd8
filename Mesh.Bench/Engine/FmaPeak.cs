using System.Diagnostics;
using System.Runtime.Intrinsics;

namespace Mesh.Bench.Engine;

/// <summary>
/// The machine's practical float32 peak: every core runs chains of independent fused multiply-adds on
/// registers only, so nothing but the FMA units limits it.
/// </summary>
public static class FmaPeak
{
    public static double MeasureGflops(int threads, TimeSpan duration)
    {
        var best = 0.0;
        for (var round = 0; round < 3; round++)
        {
            best = Math.Max(best, Run(threads, duration, Vector512.IsHardwareAccelerated));
            if (Vector512.IsHardwareAccelerated)
            {
                best = Math.Max(best, Run(threads, duration, wide: false));
            }
        }
        return best;
    }

    private static double Run(int threads, TimeSpan duration, bool wide)
    {
        const long iterations = 2_000_000;
        var flopsPerIteration = 12 * 2 * (wide ? Vector512<float>.Count : Vector256<float>.Count);
        var totalIterations = 0L;
        var watch = Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            var done = 0L;
            var sink = 0f;
            while (watch.Elapsed < duration)
            {
                sink += wide ? Chain512(iterations) : Chain256(iterations);
                done += iterations;
            }
            Interlocked.Add(ref totalIterations, done);
            GC.KeepAlive(sink);
        });
        return totalIterations * (double)flopsPerIteration / watch.Elapsed.TotalSeconds / 1e9;
    }

    private static float Chain256(long iterations)
    {
        var m = Vector256.Create(0.999999f);
        var a = Vector256.Create(1e-7f);
        Vector256<float> c0 = Vector256.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (var i = 0L; i < iterations; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, m, a); c1 = Vector256.FusedMultiplyAdd(c1, m, a);
            c2 = Vector256.FusedMultiplyAdd(c2, m, a); c3 = Vector256.FusedMultiplyAdd(c3, m, a);
            c4 = Vector256.FusedMultiplyAdd(c4, m, a); c5 = Vector256.FusedMultiplyAdd(c5, m, a);
            c6 = Vector256.FusedMultiplyAdd(c6, m, a); c7 = Vector256.FusedMultiplyAdd(c7, m, a);
            c8 = Vector256.FusedMultiplyAdd(c8, m, a); c9 = Vector256.FusedMultiplyAdd(c9, m, a);
            c10 = Vector256.FusedMultiplyAdd(c10, m, a); c11 = Vector256.FusedMultiplyAdd(c11, m, a);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    private static float Chain512(long iterations)
    {
        var m = Vector512.Create(0.999999f);
        var a = Vector512.Create(1e-7f);
        Vector512<float> c0 = Vector512.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (var i = 0L; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, m, a); c1 = Vector512.FusedMultiplyAdd(c1, m, a);
            c2 = Vector512.FusedMultiplyAdd(c2, m, a); c3 = Vector512.FusedMultiplyAdd(c3, m, a);
            c4 = Vector512.FusedMultiplyAdd(c4, m, a); c5 = Vector512.FusedMultiplyAdd(c5, m, a);
            c6 = Vector512.FusedMultiplyAdd(c6, m, a); c7 = Vector512.FusedMultiplyAdd(c7, m, a);
            c8 = Vector512.FusedMultiplyAdd(c8, m, a); c9 = Vector512.FusedMultiplyAdd(c9, m, a);
            c10 = Vector512.FusedMultiplyAdd(c10, m, a); c11 = Vector512.FusedMultiplyAdd(c11, m, a);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
