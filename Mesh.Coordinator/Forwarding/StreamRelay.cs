namespace Mesh.Coordinator.Forwarding;

/// <summary>
/// Relays an engine's chunks to the client as they come until the engine finishes. Whatever the engine sent together
/// leaves together: the client's response is flushed whenever the next chunk is not yet here, so no chunk waits for
/// another and a burst (the last token, the finish, the usage) costs one write instead of one per chunk.
/// </summary>
internal static class StreamRelay
{
    /// <exception cref="EngineStreamBrokenException">The stream broke, stalled, reported an error or ended short.</exception>
    public static async Task RelayAsync(RequestRun run, Registry.EngineEntry engine, EngineStream stream, CancellationToken aborted)
    {
        var chunk = run.Chunk;
        while (await stream.ReadAsync(chunk, aborted))
        {
            run.Append(chunk, engine);
            if (!stream.HasBufferedChunk)
            {
                await run.Client.FlushAsync(aborted);
            }
        }
        run.EndOfStream();
    }
}
