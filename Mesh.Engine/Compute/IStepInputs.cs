using Mesh.Engine.Inference;

namespace Mesh.Engine.Compute;

/// <summary>
/// One step's batch as a backend reads it: each row's token, position, block table and whether it writes keys and
/// values, and the rows to sample. A GPU backend copies them to the device once per step; every kernel of the step
/// reads that copy.
/// </summary>
public interface IStepInputs
{
    ForwardBatch Batch { get; }
}
