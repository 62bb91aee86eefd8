namespace Mesh.Coordinator.Forwarding;

/// <summary>An engine's stream broke off, stalled or sent something unreadable after it had started.</summary>
internal sealed class EngineStreamBrokenException : Exception
{
    public EngineStreamBrokenException(string message) : base(message)
    {
    }

    public EngineStreamBrokenException(string message, Exception inner) : base(message, inner)
    {
    }

    public EngineStreamBrokenException()
    {
    }
}
