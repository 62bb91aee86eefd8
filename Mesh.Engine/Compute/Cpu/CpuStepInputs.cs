using Mesh.Engine.Inference;

namespace Mesh.Engine.Compute.Cpu;

/// <summary>The CPU reads a step's batch where the scheduler wrote it.</summary>
internal sealed record CpuStepInputs(ForwardBatch Batch) : IStepInputs;
