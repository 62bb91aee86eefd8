using Mesh.Contracts.Telemetry;

namespace Mesh.SemanticKernel;

/// <summary>
/// Beneath Semantic Kernel's OpenAI connector: puts the current call's routing hints on the request as headers, and keeps
/// what the coordinator reports in the headers of its answer (they arrive with the first token, before the stream).
/// </summary>
internal sealed class MeshRoutingHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var call = MeshCall.Current;
        if (call?.RoutingPolicy is { Length: > 0 } policy)
        {
            request.Headers.TryAddWithoutValidation(MeshHeaders.Policy, policy);
        }
        if (call?.TierPolicy is { Length: > 0 } tiers)
        {
            request.Headers.TryAddWithoutValidation(MeshHeaders.TierPolicy, tiers);
        }
        var response = await base.SendAsync(request, cancellationToken);
        if (call is not null)
        {
            call.Report = MeshReport.From(response);
        }
        return response;
    }
}
