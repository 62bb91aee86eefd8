using Mesh.Contracts.Telemetry;
using OpenTelemetry.Exporter;

namespace Mesh.Tests.Dashboard;

/// <summary>The mesh overview (the data of the mesh page) computed from what a coordinator and an engine send.</summary>
[Collection(MeshTelemetryNames.Name)]
public sealed class MeshOverviewTests(MeshDashboardFixture fixture)
{
    [Fact]
    public async Task The_overview_shows_engines_rates_and_why_each_request_went_where_it_went()
    {
        // Totals add up over every coordinator the store knows; start from an empty store so they are this test's alone.
        using (var cleared = await fixture.Api.DeleteAsync(new Uri("/api/telemetry", UriKind.Relative)))
        {
            Assert.Equal(System.Net.HttpStatusCode.NoContent, cleared.StatusCode);
        }
        var requestId = "req-" + Guid.NewGuid().ToString("N")[..8];
        string traceId;
        using (var scenario = new MeshScenario(fixture.Dashboard, OtlpExportProtocol.HttpProtobuf))
        {
            traceId = scenario.RecordRequest(requestId).ToString();
            for (var round = 0; round < 4; round++)
            {
                scenario.RecordRouting(8);
                scenario.Flush();
                await Task.Delay(250); // not a wait: metric points a little apart in time, so that rates have something to measure
            }
        }

        var overview = await TestDashboard.WaitForJsonAsync(fixture.Api, "/api/mesh?requests=50", json =>
            json.GetProperty("requests").EnumerateArray().Any(r => r.GetProperty("requestId").GetString() == requestId)
            && json.GetProperty("engines").EnumerateArray().Any(e => e.GetProperty("name").GetString() == MeshScenario.ChosenEngine && e.TryGetProperty("kvBlocksTotal", out _))
            && json.GetProperty("decisions").GetArrayLength() > 0);

        var engines = overview.GetProperty("engines").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        var chosen = engines[MeshScenario.ChosenEngine];
        Assert.Equal("local", chosen.GetProperty("tier").GetString());
        Assert.True(chosen.GetProperty("reportsMetrics").GetBoolean());
        Assert.Equal(512, chosen.GetProperty("kvBlocksTotal").GetDouble());
        Assert.Equal(120, chosen.GetProperty("kvBlocksUsed").GetDouble());
        Assert.Equal(2, chosen.GetProperty("running").GetDouble());
        Assert.Equal(1, chosen.GetProperty("waiting").GetDouble());
        Assert.Equal(0.75, chosen.GetProperty("prefixCacheHitRate").GetDouble(), 3);
        Assert.True(chosen.GetProperty("routedPerSecond").GetDouble() > 0);
        var other = engines[MeshScenario.OtherEngine];
        Assert.False(other.GetProperty("reportsMetrics").GetBoolean());
        Assert.Equal("local", other.GetProperty("tier").GetString());

        var decision = overview.GetProperty("decisions").EnumerateArray()
            .Single(d => d.GetProperty("reason").GetString() == MeshScenario.Reason);
        Assert.Equal(MeshScenario.Policy, decision.GetProperty("policy").GetString());
        Assert.Equal(MeshScenario.TierPolicy, decision.GetProperty("tierPolicy").GetString());
        Assert.Equal(24, decision.GetProperty("total").GetDouble());
        Assert.Equal(24, overview.GetProperty("cacheHits").GetProperty("total").GetDouble());
        Assert.Equal(8, overview.GetProperty("cacheMisses").GetProperty("total").GetDouble());
        Assert.True(overview.GetProperty("staleDetected").GetProperty("total").GetDouble() >= 1);
        Assert.Equal(0.75, overview.GetProperty("cacheHitRatio").GetDouble(), 3);
        Assert.Equal(2, overview.GetProperty("activeEngines").GetDouble());
        var ttft = overview.GetProperty("latencies").EnumerateArray().Single(l => l.GetProperty("name").GetString() == MetricNames.TimeToFirstToken);
        Assert.InRange(ttft.GetProperty("p50").GetDouble(), 15, 60);

        var request = overview.GetProperty("requests").EnumerateArray().Single(r => r.GetProperty("requestId").GetString() == requestId);
        Assert.Equal(traceId, request.GetProperty("traceId").GetString());
        Assert.Equal(MeshScenario.ChosenEngine, request.GetProperty("engine").GetString());
        Assert.Equal(MeshScenario.Reason, request.GetProperty("reason").GetString());
        Assert.Equal("coordinator-main", request.GetProperty("coordinator").GetString());
        Assert.Equal(31.2, request.GetProperty("timeToFirstTokenMs").GetDouble(), 3);
        Assert.All(request.GetProperty("stages").EnumerateArray(), stage => Assert.True(stage.GetProperty("present").GetBoolean(), stage.ToString()));
        Assert.Equal(Mesh.Contracts.Telemetry.TraceStages.All, request.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        var selection = request.GetProperty("selection");
        Assert.Equal(MeshScenario.ChosenEngine, selection.GetProperty("engine").GetString());
        Assert.Equal("3", selection.GetProperty("matchedBlocks").GetString());
        var candidates = selection.GetProperty("candidates").EnumerateArray().ToList();
        Assert.Equal([MeshScenario.ChosenEngine, MeshScenario.OtherEngine], candidates.Select(c => c.GetProperty("engine").GetString()));
        Assert.Equal(12.3, candidates[0].GetProperty("score_ms").GetDouble(), 3);
        Assert.Equal(3, candidates[0].GetProperty("matched_blocks").GetInt64());
    }

    [Fact]
    public async Task Resources_come_from_the_resource_service_with_its_key()
    {
        var instances = fixture.Dashboard.App.App.Instances.Count;
        var state = await TestDashboard.WaitForJsonAsync(fixture.Api, "/api/resources", json =>
            json.GetProperty("resources").GetArrayLength() == instances
            && json.GetProperty("resources").EnumerateArray().Any(r => r.GetProperty("name").GetString() == fixture.RestartedReplica && r.GetProperty("restarts").GetInt32() > 0));
        Assert.Equal(3, instances); // two replicas and the dashboard itself
        Assert.True(state.GetProperty("configured").GetBoolean());
        Assert.False(state.TryGetProperty("error", out _));
        var replica = state.GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("name").GetString() == fixture.RestartedReplica);
        Assert.Equal(MeshDashboardFixture.Ticker, replica.GetProperty("resource").GetString());
        Assert.Equal(1, replica.GetProperty("restarts").GetInt32());

        // The dashboard got them with the key: without it, the resource service answers nothing.
        using var anonymous = new HttpClient();
        using var refused = await anonymous.GetAsync(new Uri(fixture.ResourceServiceUrl, "/resources"));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}
