using System.Net;
using System.Text;
using Mesh.Contracts.Http;

namespace Mesh.Tests.Dashboard;

/// <summary>The store is bounded: past its limits the oldest traces, log records and points make room for the newest.</summary>
public sealed class TelemetryLimitTests
{
    [Fact]
    public async Task The_store_keeps_the_newest_items_up_to_its_limits()
    {
        await using var dashboard = await TestDashboard.StartAsync(extraEnvironment: new Dictionary<string, string>
        {
            ["Dashboard__TelemetryLimits__MaxTraceCount"] = "5",
            ["Dashboard__TelemetryLimits__MaxLogCount"] = "4",
            ["Dashboard__TelemetryLimits__MaxMetricPointsPerSeries"] = "3",
        });
        using var api = await dashboard.CreateLoggedInClientAsync();
        using var otlp = new HttpClient();
        otlp.DefaultRequestHeaders.Add(DashboardHeaders.OtlpApiKey, dashboard.ApiKey);
        const string Resource = """{"attributes":[{"key":"service.name","value":{"stringValue":"bounded"}}]}""";
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;

        var traceIds = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var traceId = $"{i + 1:x32}";
            traceIds.Add(traceId);
            await PostAsync(otlp, dashboard, "/v1/traces", $$$"""
                {"resourceSpans":[{"resource":{{{Resource}}},"scopeSpans":[{"spans":[{"traceId":"{{{traceId}}}","spanId":"{{{i + 1:x16}}}","name":"t{{{i}}}",
                  "startTimeUnixNano":"{{{start + i}}}","endTimeUnixNano":"{{{start + i + 1000}}}"}]}]}]}
                """);
        }
        var records = string.Join(',', Enumerable.Range(0, 10).Select(i => $$$"""{"timeUnixNano":"{{{start + i}}}","body":{"stringValue":"line {{{i}}}"}}"""));
        await PostAsync(otlp, dashboard, "/v1/logs", $$$"""{"resourceLogs":[{"resource":{{{Resource}}},"scopeLogs":[{"logRecords":[{{{records}}}]}]}]}""");
        var points = string.Join(',', Enumerable.Range(0, 6).Select(i => $$$"""{"timeUnixNano":"{{{start + i * 1_000_000_000L}}}","asInt":"{{{i}}}"}"""));
        await PostAsync(otlp, dashboard, "/v1/metrics", $$$"""{"resourceMetrics":[{"resource":{{{Resource}}},"scopeMetrics":[{"metrics":[{"name":"depth","gauge":{"dataPoints":[{{{points}}}]}}]}]}]}""");

        var traces = await TestDashboard.WaitForJsonAsync(api, "/api/telemetry/traces?resource=bounded&limit=100", json => json.GetArrayLength() == 5);
        Assert.Equal(traceIds.Skip(3).Order(), traces.EnumerateArray().Select(t => t.GetProperty("traceId").GetString()).Order());
        using var evicted = await api.GetAsync(new Uri($"/api/telemetry/traces/{traceIds[0]}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, evicted.StatusCode);

        var logs = await TestDashboard.WaitForJsonAsync(api, "/api/telemetry/logs?resource=bounded", json => json.GetProperty("records").GetArrayLength() == 4);
        Assert.Equal(["line 9", "line 8", "line 7", "line 6"], logs.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("message").GetString()));

        var gauge = await TestDashboard.WaitForJsonAsync(api, "/api/telemetry/metrics/series?resource=bounded&instrument=depth", json => json.GetProperty("series").GetArrayLength() == 1);
        Assert.Equal([3.0, 4.0, 5.0], gauge.GetProperty("series")[0].GetProperty("points").EnumerateArray().Select(p => p.GetProperty("value").GetDouble()));

        var stats = await TestDashboard.WaitForJsonAsync(api, "/api/telemetry/stats", _ => true);
        Assert.Equal(5, stats.GetProperty("traces").GetInt32());
        Assert.Equal(4, stats.GetProperty("logRecords").GetInt32());
        Assert.Equal(8, stats.GetProperty("acceptedSpans").GetInt64());
    }

    private static async Task PostAsync(HttpClient otlp, TestDashboard dashboard, string path, string json)
    {
        using var response = await otlp.PostAsync(new Uri(dashboard.OtlpHttpUrl, path), new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
