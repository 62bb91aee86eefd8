using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Engine.Compute;

/// <summary>
/// A real engine process with <c>Engine:Backend=ilgpu-cpu</c> (the GPU backend's kernels, called on the host over ILGPU's CPU-accelerator memory)
/// serves through the same scheduler and KV cache, and generates the greedy tokens of an engine on the CPU backend.
/// </summary>
public sealed class EngineGpuBackendTests
{
    [Fact]
    public async Task An_engine_on_the_gpu_kernels_generates_the_greedy_tokens_of_a_cpu_engine_and_reuses_its_cache()
    {
        await using var app = await SmallApp.StartAsync(builder =>
        {
            builder.AddService("cpu", "Mesh.Engine", "--Engine:Model=tiny", "--Engine:Threads=1", "--Engine:Backend=cpu");
            builder.AddService("gpu", "Mesh.Engine", "--Engine:Model=tiny", "--Engine:Backend=ilgpu-cpu");
        });
        var (cpu, gpu) = (app.Client("cpu"), app.Client("gpu"));
        Assert.Contains(" on cpu-simd", (string?)(await OpenAIClient.GetJsonAsync(cpu, "/v1/engine/state"))["backend"], StringComparison.Ordinal);
        Assert.Contains(" on ilgpu-cpu", (string?)(await OpenAIClient.GetJsonAsync(gpu, "/v1/engine/state"))["backend"], StringComparison.Ordinal);

        const string prompt = "A GPU backend must not change a single greedy token of this answer, cold or cached";
        var fromCpu = await OpenAIClient.StreamAsync(cpu, "/v1/chat/completions", OpenAIClient.Chat(prompt, 16, seed: 3, stream: true, temperature: 0f), default,
            headers: [("x-mesh-token-ids", "1")]);
        foreach (var cached in new[] { false, true })
        {
            var fromGpu = await OpenAIClient.StreamAsync(gpu, "/v1/chat/completions", OpenAIClient.Chat(prompt, 16, seed: 3, stream: true, temperature: 0f), default,
                headers: [("x-mesh-token-ids", "1")]);
            Assert.Equal(16, fromGpu.TokenIds.Count);
            Assert.Equal(fromCpu.TokenIds, fromGpu.TokenIds);
            var cachedTokens = (int?)fromGpu.Usage?["prompt_tokens_details"]?["cached_tokens"] ?? 0;
            Assert.Equal(cached, cachedTokens > 0);
        }
    }
}
