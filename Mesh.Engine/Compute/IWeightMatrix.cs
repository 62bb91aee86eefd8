namespace Mesh.Engine.Compute;

/// <summary>
/// A weight matrix <c>[outputs, inputs]</c> in whatever layout its backend multiplies fastest
/// (packed panels on the CPU; device memory for a GPU backend).
/// </summary>
public interface IWeightMatrix
{
    int Outputs { get; }

    int Inputs { get; }
}
