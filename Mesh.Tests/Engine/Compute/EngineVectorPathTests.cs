using Mesh.Engine.Compute;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Engine.Compute;

/// <summary>
/// A real engine process with AVX-512 turned off in the runtime runs the 256-bit kernels and generates exactly
/// the tokens of an engine on the widest vectors. .NET 10 reads <c>DOTNET_EnableAVX512</c>; earlier runtimes
/// read <c>DOTNET_EnableAVX512F</c>, so both are set.
/// </summary>
public sealed class EngineVectorPathTests
{
    [Fact]
    public async Task An_engine_without_AVX512_runs_256_bit_kernels_and_generates_the_tokens_of_the_default_engine()
    {
        await using var app = await SmallApp.StartAsync(builder =>
        {
            builder.AddService("wide", "Mesh.Engine", "--Engine:Model=tiny", "--Engine:Threads=1");
            builder.AddService("narrow", "Mesh.Engine", "--Engine:Model=tiny", "--Engine:Threads=1")
                .WithEnvironment("DOTNET_EnableAVX512", "0")
                .WithEnvironment("DOTNET_EnableAVX512F", "0");
        });
        var (wide, narrow) = (app.Client("wide"), app.Client("narrow"));

        var wideBackend = (string?)(await OpenAIClient.GetJsonAsync(wide, "/v1/engine/state"))["backend"];
        var narrowBackend = (string?)(await OpenAIClient.GetJsonAsync(narrow, "/v1/engine/state"))["backend"];
        Assert.Contains("cpu-simd256", narrowBackend, StringComparison.Ordinal);
        Assert.Contains(CpuComputeBackend.WideSupported ? "cpu-simd512" : "cpu-simd256", wideBackend, StringComparison.Ordinal);

        const string prompt = "The vector width must not change a single token of this answer";
        foreach (var temperature in new[] { 0f, 1f })
        {
            var request = OpenAIClient.Chat(prompt, 64, seed: 3, stream: true, temperature: temperature);
            var fromWide = await OpenAIClient.StreamAsync(wide, "/v1/chat/completions", request, default, headers: [("x-mesh-token-ids", "1")]);
            request = OpenAIClient.Chat(prompt, 64, seed: 3, stream: true, temperature: temperature);
            var fromNarrow = await OpenAIClient.StreamAsync(narrow, "/v1/chat/completions", request, default, headers: [("x-mesh-token-ids", "1")]);

            Assert.Equal(64, fromWide.TokenIds.Count);
            Assert.Equal(fromWide.TokenIds, fromNarrow.TokenIds);
        }
    }
}
