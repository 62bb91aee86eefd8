namespace Mesh.Tests.AppHost;

/// <summary>
/// The whole app with the default test settings, started once for every class that only sends requests through it
/// (the OpenAI SDK, Semantic Kernel, the fuzzer, the cross-origin page). They run one after another, so a test that
/// compares counters before and after sees only its own requests. Tests that kill a process keep an app of their own.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedMesh : ICollectionFixture<MeshAppFixture>
{
    public const string Name = "Shared mesh";
}
