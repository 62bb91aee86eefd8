namespace Mesh.Engine.Compute;

/// <summary>
/// A weight matrix cut into panels of <see cref="PanelWidth"/> output columns, each stored inputs-major:
/// element <c>(j, p)</c> lives at <c>[(j / 16) · inputs + p] · 16 + j % 16</c>. The matrix-multiply kernel then
/// reads one contiguous panel row per input and keeps a tile of outputs in registers. The last panel is
/// zero-padded.
/// </summary>
public sealed class PackedMatrix : IWeightMatrix
{
    public const int PanelWidth = 16;

    public PackedMatrix(float[] rowMajor, int outputs, int inputs)
    {
        Outputs = outputs;
        Inputs = inputs;
        Panels = (outputs + PanelWidth - 1) / PanelWidth;
        Data = new float[(long)Panels * inputs * PanelWidth];
        Parallel.For(0, Panels, panel =>
        {
            var baseIndex = (long)panel * inputs * PanelWidth;
            for (var c = 0; c < PanelWidth; c++)
            {
                var j = panel * PanelWidth + c;
                if (j >= outputs)
                {
                    break;
                }
                var row = rowMajor.AsSpan((int)((long)j * inputs), inputs);
                for (var p = 0; p < inputs; p++)
                {
                    Data[baseIndex + (long)p * PanelWidth + c] = row[p];
                }
            }
        });
    }

    public int Outputs { get; }

    public int Inputs { get; }

    public int Panels { get; }

    public float[] Data { get; }
}
