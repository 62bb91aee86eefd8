using System.Buffers;

namespace Mesh.Engine.Compute.Cpu;

/// <summary>
/// The CPU's causal attention over the paged KV cache: for each row and head, the scores against every earlier
/// position of the row's sequence, their softmax, and the weighted sum of the values, each in a fixed order.
/// </summary>
internal static unsafe class PagedAttention
{
    private static readonly ParallelOptions SingleThread = new() { MaxDegreeOfParallelism = 1 };

    /// <summary>Each row's heads attend over positions <c>0..position</c> of the row's sequence, one (row, head) per work item.</summary>
    public static void Run(in AttentionBatch batch, bool wide, ParallelOptions parallel)
    {
        var rows = batch.Step.Batch.Rows;
        var heads = batch.Heads;
        var headSize = batch.HeadSize;
        var kvDim = batch.KvHeads * headSize;
        var group = heads / batch.KvHeads;
        var blockSize = batch.Cache.BlockSize;
        var queryStride = batch.QueryStride;
        var scale = 1f / MathF.Sqrt(headSize);
        var tables = batch.Step.Batch.BlockTables;
        var positions = batch.Step.Batch.Positions;
        var maxPosition = 0;
        for (var r = 0; r < rows; r++)
        {
            maxPosition = Math.Max(maxPosition, positions[r]);
        }
        fixed (float* pq = CpuBuffer.Of(batch.Queries).Data, pk = CpuBuffer.Of(batch.Cache.Keys).Data, pv = CpuBuffer.Of(batch.Cache.Values).Data, po = CpuBuffer.Of(batch.Output).Data)
        {
            var qp = (nint)pq;
            var kp = (nint)pk;
            var vp = (nint)pv;
            var op = (nint)po;
            var work = (long)rows * heads * (maxPosition + 1) * headSize;
            var options = work < 1 << 15 ? SingleThread : parallel;
            Parallel.For(0, rows * heads, options,
                () => ArrayPool<float>.Shared.Rent(maxPosition + 1),
                (index, _, scores) =>
                {
                    var r = index / heads;
                    var h = index % heads;
                    var kvOffset = h / group * headSize;
                    AttendOne(
                        (float*)qp + (long)r * queryStride + h * headSize,
                        positions[r], tables[r], (float*)kp, (float*)vp, kvOffset, kvDim, blockSize, headSize, scale,
                        (float*)op + (long)r * heads * headSize + h * headSize, scores, wide);
                    return scores;
                },
                scores => ArrayPool<float>.Shared.Return(scores));
        }
    }

    private static void AttendOne(
        float* query, int position, int[] blockTable, float* keys, float* values, int kvOffset, int kvDim,
        int blockSize, int headSize, float scale, float* output, float[] scores, bool wide)
    {
        var count = position + 1;
        var max = float.NegativeInfinity;
        for (var t = 0; t < count; t++)
        {
            var slot = KvLayer.Offset(blockTable, t, blockSize, kvDim) + kvOffset;
            var score = SimdKernels.Dot(query, keys + slot, headSize, wide) * scale;
            scores[t] = score;
            max = MathF.Max(max, score);
        }
        var sum = 0f;
        for (var t = 0; t < count; t++)
        {
            var e = MathF.Exp(scores[t] - max);
            scores[t] = e;
            sum += e;
        }
        var inverse = 1f / sum;
        new Span<float>(output, headSize).Clear();
        for (var t = 0; t < count; t++)
        {
            var slot = KvLayer.Offset(blockTable, t, blockSize, kvDim) + kvOffset;
            SimdKernels.Axpy(scores[t] * inverse, values + slot, output, headSize, wide);
        }
    }
}
