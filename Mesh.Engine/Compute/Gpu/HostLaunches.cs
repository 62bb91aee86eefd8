using ILGPU;

namespace Mesh.Engine.Compute.Gpu;

/// <summary>
/// Runs an implicitly grouped kernel by calling its method for every index on the host's thread pool, over memory
/// of ILGPU's CPU accelerator. ILGPU's own CPU runtime rendezvous its emulated threads at every launch, which takes
/// seconds per launch on a machine whose cores are all busy; called this way the same kernel code runs at the
/// speed of plain .NET, whatever the load. Explicitly grouped kernels (shared memory, barriers) still need ILGPU's
/// runtime.
/// </summary>
internal static class HostLaunches
{
    public static Action<Index1D, A, B> Of<A, B>(Action<Index1D, A, B> kernel) =>
        (extent, a, b) => Run(extent.Size, i => kernel(new Index1D((int)i), a, b));

    public static Action<Index1D, A, B, C> Of<A, B, C>(Action<Index1D, A, B, C> kernel) =>
        (extent, a, b, c) => Run(extent.Size, i => kernel(new Index1D((int)i), a, b, c));

    public static Action<Index1D, A, B, C, D, E> Of<A, B, C, D, E>(Action<Index1D, A, B, C, D, E> kernel) =>
        (extent, a, b, c, d, e) => Run(extent.Size, i => kernel(new Index1D((int)i), a, b, c, d, e));

    public static Action<Index2D, A, B, C> Of<A, B, C>(Action<Index2D, A, B, C> kernel) =>
        (extent, a, b, c) => Run(extent.Size, i => kernel(At(extent, i), a, b, c));

    public static Action<Index2D, A, B, C, D> Of<A, B, C, D>(Action<Index2D, A, B, C, D> kernel) =>
        (extent, a, b, c, d) => Run(extent.Size, i => kernel(At(extent, i), a, b, c, d));

    public static Action<Index2D, A, B, C, D, E> Of<A, B, C, D, E>(Action<Index2D, A, B, C, D, E> kernel) =>
        (extent, a, b, c, d, e) => Run(extent.Size, i => kernel(At(extent, i), a, b, c, d, e));

    public static Action<Index2D, A, B, C, D, E, F> Of<A, B, C, D, E, F>(Action<Index2D, A, B, C, D, E, F> kernel) =>
        (extent, a, b, c, d, e, f) => Run(extent.Size, i => kernel(At(extent, i), a, b, c, d, e, f));

    public static Action<Index2D, A, B, C, D, E, F, G> Of<A, B, C, D, E, F, G>(Action<Index2D, A, B, C, D, E, F, G> kernel) =>
        (extent, a, b, c, d, e, f, g) => Run(extent.Size, i => kernel(At(extent, i), a, b, c, d, e, f, g));

    private static Index2D At(Index2D extent, long i) => new((int)(i % extent.X), (int)(i / extent.X));

    /// <summary>Indices <c>0..count</c> in contiguous chunks, a few per core.</summary>
    private static void Run(long count, Action<long> body)
    {
        var chunks = (int)Math.Clamp(count / 1024, 1, Environment.ProcessorCount * 4);
        Parallel.For(0, chunks, chunk =>
        {
            var end = count * (chunk + 1) / chunks;
            for (var i = count * chunk / chunks; i < end; i++)
            {
                body(i);
            }
        });
    }
}
