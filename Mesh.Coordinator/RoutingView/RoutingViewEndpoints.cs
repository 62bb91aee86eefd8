using Microsoft.AspNetCore.Http.HttpResults;

namespace Mesh.Coordinator.RoutingView;

/// <summary>
/// The routing view at <c>/mesh</c>: one page, served by the coordinator, that reads the coordinator's own state
/// (<c>/v1/mesh/engines</c>, <c>/v1/mesh/requests</c>) every two seconds: the engines with their load, KV use and learned
/// costs, the decision tiles, and for each recent request the candidates the router weighed and why the winner won.
/// The Aspire dashboard links to it from the coordinator's resource.
/// </summary>
public static class RoutingViewEndpoints
{
    public const string Path = "/mesh";

    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = typeof(RoutingViewEndpoints).Assembly.GetManifestResourceStream("Mesh.Coordinator.RoutingView.routing-view.html")
            ?? throw new InvalidOperationException("The routing view's page is not embedded.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static TBuilder MapRoutingView<TBuilder>(this TBuilder endpoints) where TBuilder : IEndpointRouteBuilder
    {
        endpoints.MapGet(Path, FileContentHttpResult () => TypedResults.Bytes(Page.Value, "text/html; charset=utf-8"));
        return endpoints;
    }
}
