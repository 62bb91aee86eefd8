using Mesh.Dashboard.MeshView;
using Mesh.Dashboard.ResourceService;
using Mesh.Dashboard.Storage;
using Mesh.Dashboard.Storage.Logs;
using Mesh.Dashboard.Storage.Traces;
using Microsoft.AspNetCore.Mvc;

namespace Mesh.Dashboard.Api;

/// <summary>
/// The JSON query API behind the login (cookie; 401 without it): what the store holds, for scripts, tests and the bench.
/// <list type="bullet">
///   <item><c>GET /api/telemetry/stats</c>, <c>/resources</c></item>
///   <item><c>GET /api/telemetry/traces?resource=&amp;text=&amp;span=&amp;errors=&amp;from=&amp;to=&amp;minDurationMs=&amp;limit=</c>, <c>/traces/{traceId}</c></item>
///   <item><c>GET /api/telemetry/logs?resource=&amp;level=&amp;text=&amp;traceId=&amp;after=&amp;limit=</c></item>
///   <item><c>GET /api/telemetry/metrics?resource=</c>, <c>/metrics/series?resource=&amp;instrument=&amp;meter=&amp;minutes=&amp;filter=key:value</c></item>
///   <item><c>GET /api/mesh</c>, <c>GET /api/resources</c>, <c>DELETE /api/telemetry</c></item>
/// </list>
/// </summary>
internal static class TelemetryApiEndpoints
{
    public static RouteGroupBuilder MapTelemetryApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api");
        var telemetry = api.MapGroup("/telemetry");

        telemetry.MapGet("/stats", (TelemetryStore store) => TypedResults.Json(store.Statistics(), DashboardJsonContext.Default.TelemetryStoreStatistics));

        telemetry.MapGet("/resources", (TelemetryStore store) =>
            TypedResults.Json([.. store.Resources.All().Select(TelemetryApiMapper.ToApi)], DashboardJsonContext.Default.ApiResourceArray));

        telemetry.MapGet("/traces", (TelemetryStore store, string? resource, string? text, string? span, bool? errors,
            DateTimeOffset? from, DateTimeOffset? to, double? minDurationMs, int? limit) =>
        {
            var query = new TraceQuery
            {
                Resource = resource,
                Text = text,
                SpanName = span,
                ErrorsOnly = errors ?? false,
                From = from,
                To = to,
                MinDuration = minDurationMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
                Limit = limit ?? TraceQuery.DefaultLimit,
            };
            return TypedResults.Json([.. store.Traces.Query(query).Select(TelemetryApiMapper.ToApi)], DashboardJsonContext.Default.ApiTraceSummaryArray);
        });

        telemetry.MapGet("/traces/{traceId}", IResult (TelemetryStore store, string traceId) =>
            !TraceId.TryParse(traceId, out var id) ? TypedResults.BadRequest("A trace id is 32 hex digits.")
            : store.Traces.Find(id) is { } trace ? TypedResults.Json(TelemetryApiMapper.ToApi(trace), DashboardJsonContext.Default.ApiTrace)
            : TypedResults.NotFound());

        telemetry.MapGet("/logs", IResult (TelemetryStore store, string? resource, string? level, string? text, string? traceId, long? after, int? limit) =>
        {
            LogSeverity? minimum = null;
            if (!string.IsNullOrEmpty(level))
            {
                if (!LogSeverities.TryParse(level, out var parsed))
                {
                    return TypedResults.BadRequest("level is one of Trace, Debug, Information, Warning, Error, Critical.");
                }
                minimum = parsed;
            }
            TraceId? trace = null;
            if (!string.IsNullOrEmpty(traceId))
            {
                if (!TraceId.TryParse(traceId, out var parsedTrace))
                {
                    return TypedResults.BadRequest("traceId is 32 hex digits.");
                }
                trace = parsedTrace;
            }
            var result = store.Logs.Query(new LogQuery
            {
                Resource = resource,
                MinimumSeverity = minimum,
                Text = text,
                TraceId = trace,
                AfterSequence = after ?? 0,
                Limit = limit ?? LogQuery.DefaultLimit,
            });
            return TypedResults.Json(
                new ApiLogPage([.. result.Records.Select(TelemetryApiMapper.ToApi)], result.Truncated, result.StoredCount, store.Logs.LastSequence),
                DashboardJsonContext.Default.ApiLogPage);
        });

        telemetry.MapGet("/metrics", (TelemetryStore store, string? resource) =>
            TypedResults.Json([.. store.Metrics.Instruments(resource)], DashboardJsonContext.Default.MetricInstrumentSummaryArray));

        telemetry.MapGet("/metrics/series", IResult (TelemetryStore store, TimeProvider time, string resource, string instrument, string? meter,
            double? minutes, [FromQuery(Name = "filter")] string[]? filters) =>
        {
            var attributeFilter = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var filter in filters ?? [])
            {
                var separator = filter.IndexOf(':', StringComparison.Ordinal);
                if (separator <= 0)
                {
                    return TypedResults.BadRequest("filter is key:value.");
                }
                attributeFilter[filter[..separator]] = filter[(separator + 1)..];
            }
            DateTimeOffset? from = minutes is > 0 ? time.GetUtcNow() - TimeSpan.FromMinutes(minutes.Value) : null;
            return store.Metrics.Snapshot(resource, instrument, meter, from, attributeFilter.Count == 0 ? null : attributeFilter) is { } snapshot
                ? TypedResults.Json(TelemetryApiMapper.ToApi(snapshot), DashboardJsonContext.Default.ApiInstrumentData)
                : TypedResults.NotFound();
        });

        telemetry.MapDelete(string.Empty, (TelemetryStore store) =>
        {
            store.Clear();
            return TypedResults.NoContent();
        });

        api.MapGet("/mesh", (MeshOverviewBuilder builder, int? requests) =>
            TypedResults.Json(builder.Build(Math.Clamp(requests ?? 25, 1, 500)), DashboardJsonContext.Default.MeshOverview));

        api.MapGet("/resources", (ResourceServicePoller poller, ResourceServiceClient client) =>
        {
            var state = poller.State;
            return TypedResults.Json(
                new ApiResourceServiceState(state.Configured, client.BaseUrl?.ToString(), state.UpdatedAt, state.Error, [.. state.Resources]),
                DashboardJsonContext.Default.ApiResourceServiceState);
        });
        return api;
    }
}
