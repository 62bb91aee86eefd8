namespace Mesh.Coordinator.Forwarding;

/// <summary>Relays an engine's chunks to the client as they come, each flushed at once, until the engine finishes.</summary>
internal static class StreamRelay
{
    /// <exception cref="EngineStreamBrokenException">The stream broke, stalled, reported an error or ended short.</exception>
    public static async Task RelayAsync(RequestRun run, Registry.EngineEntry engine, EngineStream stream, CancellationToken aborted)
    {
        var chunk = run.Chunk;
        while (await stream.ReadAsync(chunk, aborted))
        {
            run.Append(chunk, engine);
            await run.Client.FlushAsync(aborted);
        }
        run.EndOfStream();
    }
}
