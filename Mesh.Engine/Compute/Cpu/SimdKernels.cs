using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mesh.Engine.Compute.Cpu;

/// <summary>
/// The vector kernels besides GEMM tiles (dot products, element-wise maps), each in a 512-bit and a 256-bit
/// form that give bit-identical results: reductions always accumulate 16 lanes (one 512-bit register or two
/// 256-bit ones) and fold them in one fixed order, and element-wise maps do the same operations per lane
/// whatever the width. So a model gives the same logits on either path of the same machine.
/// </summary>
internal static unsafe class SimdKernels
{
    private const int Wide = 16;
    private const int Narrow = 8;

    /// <summary>Sixteen lane sums, then the lanes folded in a fixed order, then the scalar tail.</summary>
    public static float Dot(float* a, float* b, int length, bool wide)
    {
        var p = 0;
        Vector256<float> low = default, high = default;
        if (wide)
        {
            Vector512<float> acc = default;
            for (; p + Wide <= length; p += Wide)
            {
                acc = Vector512.FusedMultiplyAdd(Vector512.Load(a + p), Vector512.Load(b + p), acc);
            }
            low = acc.GetLower();
            high = acc.GetUpper();
        }
        else
        {
            for (; p + Wide <= length; p += Wide)
            {
                low = Vector256.FusedMultiplyAdd(Vector256.Load(a + p), Vector256.Load(b + p), low);
                high = Vector256.FusedMultiplyAdd(Vector256.Load(a + p + Narrow), Vector256.Load(b + p + Narrow), high);
            }
        }
        var sum = Fold(low, high);
        for (; p < length; p++)
        {
            sum = MathF.FusedMultiplyAdd(a[p], b[p], sum);
        }
        return sum;
    }

    /// <summary>The sixteen lanes of a dot product added in one fixed tree.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Fold(Vector256<float> low, Vector256<float> high)
    {
        var eight = low + high;
        var four = eight.GetLower() + eight.GetUpper();
        return (four.GetElement(0) + four.GetElement(1)) + (four.GetElement(2) + four.GetElement(3));
    }

    /// <summary><c>y += a·x</c>.</summary>
    public static void Axpy(float a, float* x, float* y, int length, bool wide)
    {
        var p = 0;
        if (wide)
        {
            var va = Vector512.Create(a);
            for (; p + Wide <= length; p += Wide)
            {
                Vector512.Store(Vector512.FusedMultiplyAdd(va, Vector512.Load(x + p), Vector512.Load(y + p)), y + p);
            }
        }
        var vn = Vector256.Create(a);
        for (; p + Narrow <= length; p += Narrow)
        {
            Vector256.Store(Vector256.FusedMultiplyAdd(vn, Vector256.Load(x + p), Vector256.Load(y + p)), y + p);
        }
        for (; p < length; p++)
        {
            y[p] = MathF.FusedMultiplyAdd(a, x[p], y[p]);
        }
    }

    /// <summary><c>y = weight ⊙ (x / rms(x))</c> for one row.</summary>
    public static void RmsNormRow(float* x, float* weight, float* y, int dim, float epsilon, bool wide)
    {
        var mean = Dot(x, x, dim, wide) / dim;
        var scale = 1f / MathF.Sqrt(mean + epsilon);
        var p = 0;
        if (wide)
        {
            var vs = Vector512.Create(scale);
            for (; p + Wide <= dim; p += Wide)
            {
                Vector512.Store(Vector512.Load(weight + p) * (vs * Vector512.Load(x + p)), y + p);
            }
        }
        var ns = Vector256.Create(scale);
        for (; p + Narrow <= dim; p += Narrow)
        {
            Vector256.Store(Vector256.Load(weight + p) * (ns * Vector256.Load(x + p)), y + p);
        }
        for (; p < dim; p++)
        {
            y[p] = weight[p] * (scale * x[p]);
        }
    }

    /// <summary>
    /// Rotates the interleaved pairs of <paramref name="length"/> values: <c>out[j] = v[j]·cos[j] + v[j^1]·sin[j]</c>
    /// with the pair tables of <see cref="RotaryTable"/> (sines negated on even lanes), which is
    /// <c>(a·cos − b·sin, a·sin + b·cos)</c> exactly.
    /// </summary>
    public static void RotatePairs(float* v, float* cos, float* sin, int length, bool wide)
    {
        var p = 0;
        if (wide)
        {
            var swap = Vector512.Create(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);
            for (; p + Wide <= length; p += Wide)
            {
                var values = Vector512.Load(v + p);
                var swapped = Vector512.Shuffle(values, swap);
                Vector512.Store(values * Vector512.Load(cos + p) + swapped * Vector512.Load(sin + p), v + p);
            }
        }
        var narrowSwap = Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6);
        for (; p + Narrow <= length; p += Narrow)
        {
            var values = Vector256.Load(v + p);
            var swapped = Vector256.Shuffle(values, narrowSwap);
            Vector256.Store(values * Vector256.Load(cos + p) + swapped * Vector256.Load(sin + p), v + p);
        }
        for (; p + 1 < length; p += 2)
        {
            var a = v[p];
            var b = v[p + 1];
            v[p] = a * cos[p] + b * sin[p];
            v[p + 1] = b * cos[p + 1] + a * sin[p + 1];
        }
    }

    /// <summary>
    /// <c>y = silu(gate) ⊙ up</c> for one row. A tail shorter than a vector goes through a padded vector too, so
    /// every element takes the vector exponential whichever width runs.
    /// </summary>
    public static void SwiGluRow(float* gate, float* up, float* y, int length, bool wide)
    {
        var p = 0;
        if (wide)
        {
            for (; p + Wide <= length; p += Wide)
            {
                Vector512.Store(SwiGlu(Vector512.Load(gate + p), Vector512.Load(up + p)), y + p);
            }
        }
        for (; p + Narrow <= length; p += Narrow)
        {
            Vector256.Store(SwiGlu(Vector256.Load(gate + p), Vector256.Load(up + p)), y + p);
        }
        if (p < length)
        {
            var g = stackalloc float[Narrow];
            var u = stackalloc float[Narrow];
            var o = stackalloc float[Narrow];
            for (var i = 0; i < Narrow; i++)
            {
                g[i] = p + i < length ? gate[p + i] : 0f;
                u[i] = p + i < length ? up[p + i] : 0f;
            }
            Vector256.Store(SwiGlu(Vector256.Load(g), Vector256.Load(u)), o);
            for (var i = 0; p + i < length; i++)
            {
                y[p + i] = o[i];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> SwiGlu(Vector512<float> gate, Vector512<float> up)
    {
        var sigmoid = Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-gate));
        return sigmoid * gate * up;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> SwiGlu(Vector256<float> gate, Vector256<float> up)
    {
        var sigmoid = Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-gate));
        return sigmoid * gate * up;
    }

    /// <summary><c>x += delta</c>.</summary>
    public static void Add(float* x, float* delta, int length, bool wide)
    {
        var p = 0;
        if (wide)
        {
            for (; p + Wide <= length; p += Wide)
            {
                Vector512.Store(Vector512.Load(x + p) + Vector512.Load(delta + p), x + p);
            }
        }
        for (; p + Narrow <= length; p += Narrow)
        {
            Vector256.Store(Vector256.Load(x + p) + Vector256.Load(delta + p), x + p);
        }
        for (; p < length; p++)
        {
            x[p] += delta[p];
        }
    }
}
