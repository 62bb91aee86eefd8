using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using Mesh.Contracts.Http;

namespace Mesh.Tests.Dashboard;

/// <summary>The OTLP receiver, fed by the real OpenTelemetry exporter over both transports and by hand-built payloads.</summary>
[Collection(SharedDashboard.Name)]
public sealed class OtlpReceiverTests(DashboardFixture fixture)
{
    private TestDashboard Dashboard => fixture.Dashboard;

    private HttpClient Api => fixture.Api;

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task Traces_metrics_and_logs_from_the_OpenTelemetry_exporter_land_in_the_store(OtlpExportProtocol protocol)
    {
        var sourceName = OtlpTelemetrySender.UniqueName("test.source");
        var meterName = OtlpTelemetrySender.UniqueName("test.meter");
        var instance = $"worker-{protocol.ToString().ToLowerInvariant()}-{Guid.NewGuid().ToString("N")[..6]}";
        using var source = new ActivitySource(sourceName);
        using var meter = new Meter(meterName);
        var requests = meter.CreateCounter<long>("test_requests", "{request}", "Requests handled.");
        var duration = meter.CreateHistogram<double>("test_duration", "ms");

        ActivityTraceId traceId;
        using (var sender = new OtlpTelemetrySender(Dashboard, protocol, "worker", instance, sourceName, meterName))
        {
            traceId = OtlpTelemetrySender.RecordSpans(source, "work", children: 3);
            using (var scope = source.StartActivity("logged-work"))
            {
                sender.CreateLogger("Test.Category").LogWarning("Processed {Count} items over {Protocol}", 3, protocol);
            }
            requests.Add(5, new KeyValuePair<string, object?>("route", "a"));
            requests.Add(2, new KeyValuePair<string, object?>("route", "b"));
            duration.Record(12.5);
            duration.Record(80);
            sender.Flush();
        }

        // The resource shows as its replica name: service.name worker, service.instance.id worker-... gives worker-...
        var trace = await TestDashboard.WaitForJsonAsync(Api, $"/api/telemetry/traces/{traceId}",
            json => json.GetProperty("spans").GetArrayLength() == 4);
        var summary = trace.GetProperty("summary");
        Assert.Equal("work", summary.GetProperty("name").GetString());
        Assert.Equal(instance, summary.GetProperty("rootResource").GetString());
        var spans = trace.GetProperty("spans").EnumerateArray().ToList();
        Assert.Equal(0, spans[0].GetProperty("depth").GetInt32());
        Assert.All(spans.Skip(1), span => Assert.Equal(1, span.GetProperty("depth").GetInt32()));
        var child = spans.Single(span => span.GetProperty("name").GetString() == "child-1");
        Assert.Equal("1", child.GetProperty("attributes").GetProperty("test.index").GetString());
        Assert.Equal("checkpoint", child.GetProperty("events")[0].GetProperty("name").GetString());

        var logs = await TestDashboard.WaitForJsonAsync(Api, $"/api/telemetry/logs?resource={instance}",
            json => json.GetProperty("records").GetArrayLength() > 0);
        var record = logs.GetProperty("records")[0];
        Assert.Equal($"Processed 3 items over {protocol}", record.GetProperty("message").GetString());
        Assert.Equal("Warning", record.GetProperty("severity").GetString());
        Assert.Equal("Test.Category", record.GetProperty("scope").GetString());
        Assert.Equal(32, record.GetProperty("traceId").GetString()!.Length);

        var counter = await TestDashboard.WaitForJsonAsync(Api, $"/api/telemetry/metrics/series?resource={instance}&instrument=test_requests",
            json => json.GetProperty("series").GetArrayLength() == 2);
        Assert.Equal("Counter", counter.GetProperty("instrument").GetProperty("kind").GetString());
        Assert.Equal("Cumulative", counter.GetProperty("instrument").GetProperty("temporality").GetString());
        var routeA = counter.GetProperty("series").EnumerateArray().Single(s => s.GetProperty("attributes").GetProperty("route").GetString() == "a");
        Assert.Equal(5, routeA.GetProperty("points")[0].GetProperty("value").GetDouble());
        Assert.Equal(["a", "b"], counter.GetProperty("dimensions").GetProperty("route").EnumerateArray().Select(v => v.GetString()));

        var histogram = await TestDashboard.WaitForJsonAsync(Api, $"/api/telemetry/metrics/series?resource={instance}&instrument=test_duration",
            json => json.GetProperty("series").GetArrayLength() == 1);
        var point = histogram.GetProperty("series")[0].GetProperty("points")[0];
        Assert.Equal("Histogram", histogram.GetProperty("instrument").GetProperty("kind").GetString());
        Assert.Equal(2UL, point.GetProperty("count").GetUInt64());
        Assert.Equal(92.5, point.GetProperty("sum").GetDouble(), 3);
        Assert.Equal(point.GetProperty("bounds").GetArrayLength() + 1, point.GetProperty("bucketCounts").GetArrayLength());
    }

    [Fact]
    public async Task A_hand_built_OTLP_JSON_payload_lands()
    {
        var traceId = RandomHex(16);
        var rootSpanId = RandomHex(8);
        var childSpanId = RandomHex(8);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var nanos = now.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var later = (now + 25_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var resource = """{"attributes":[{"key":"service.name","value":{"stringValue":"engine"}},{"key":"service.instance.id","value":{"stringValue":"engine-jsonabcd"}}]}""";

        var traces = $$$"""
            {"resourceSpans":[{"resource":{{{resource}}},"scopeSpans":[{"scope":{"name":"json.test"},"spans":[
              {"traceId":"{{{traceId}}}","spanId":"{{{rootSpanId}}}","name":"json-root","kind":2,"startTimeUnixNano":"{{{nanos}}}","endTimeUnixNano":"{{{later}}}",
               "attributes":[{"key":"http.status","value":{"intValue":"200"}},{"key":"ok","value":{"boolValue":true}},
                             {"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"x"},{"doubleValue":1.5}]} } }],
               "status":{"code":2,"message":"boom"}},
              {"traceId":"{{{traceId}}}","spanId":"{{{childSpanId}}}","parentSpanId":"{{{rootSpanId}}}","name":"json-child","kind":1,
               "startTimeUnixNano":{{{nanos}}},"endTimeUnixNano":{{{later}}},
               "events":[{"timeUnixNano":"{{{nanos}}}","name":"marker","attributes":[{"key":"n","value":{"intValue":3}}]}]}
            ]}]}]}
            """;
        var logs = $$$"""
            {"resourceLogs":[{"resource":{{{resource}}},"scopeLogs":[{"scope":{"name":"Json.Logger"},"logRecords":[
              {"timeUnixNano":"{{{nanos}}}","severityNumber":17,"severityText":"Error","body":{"stringValue":"json log line"},
               "traceId":"{{{traceId}}}","spanId":"{{{rootSpanId}}}","attributes":[{"key":"attempt","value":{"intValue":"2"}}]}]}]}]}
            """;
        var metrics = $$$"""
            {"resourceMetrics":[{"resource":{{{resource}}},"scopeMetrics":[{"scope":{"name":"Json.Meter"},"metrics":[
              {"name":"json_queue_depth","unit":"{item}","gauge":{"dataPoints":[{"timeUnixNano":"{{{nanos}}}","asInt":"7","attributes":[{"key":"queue","value":{"stringValue":"q1"}}]}]}},
              {"name":"json_handled","sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[{"startTimeUnixNano":"{{{nanos}}}","timeUnixNano":"{{{later}}}","asDouble":41.5}]}}
            ]}]}]}
            """;

        foreach (var (path, body) in new[] { ("/v1/traces", traces), ("/v1/logs", logs), ("/v1/metrics", metrics) })
        {
            using var response = await PostOtlpAsync(path, Encoding.UTF8.GetBytes(body), "application/json");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.False(answer.RootElement.TryGetProperty("partialSuccess", out _), "Everything should have been accepted.");
        }

        var trace = await TestDashboard.WaitForJsonAsync(Api, $"/api/telemetry/traces/{traceId}", json => json.GetProperty("spans").GetArrayLength() == 2);
        Assert.Equal("engine-jsonabcd", trace.GetProperty("summary").GetProperty("rootResource").GetString());
        Assert.Equal(1, trace.GetProperty("summary").GetProperty("errorCount").GetInt32());
        var root = trace.GetProperty("spans")[0];
        Assert.Equal("json-root", root.GetProperty("name").GetString());
        Assert.Equal("Server", root.GetProperty("kind").GetString());
        Assert.Equal("Error", root.GetProperty("status").GetString());
        Assert.Equal(25, root.GetProperty("durationMs").GetDouble(), 3);
        Assert.Equal("200", root.GetProperty("attributes").GetProperty("http.status").GetString());
        Assert.Equal("""["x",1.5]""", root.GetProperty("attributes").GetProperty("tags").GetString());
        var childSpan = trace.GetProperty("spans")[1];
        Assert.Equal(rootSpanId, childSpan.GetProperty("parentSpanId").GetString());
        Assert.Equal("3", childSpan.GetProperty("events")[0].GetProperty("attributes").GetProperty("n").GetString());

        var logPage = await TestDashboard.WaitForJsonAsync(Api, $"/api/telemetry/logs?traceId={traceId}", json => json.GetProperty("records").GetArrayLength() == 1);
        var log = logPage.GetProperty("records")[0];
        Assert.Equal("json log line", log.GetProperty("message").GetString());
        Assert.Equal("Error", log.GetProperty("severity").GetString());
        Assert.Equal(rootSpanId, log.GetProperty("spanId").GetString());

        var gauge = await TestDashboard.WaitForJsonAsync(Api, "/api/telemetry/metrics/series?resource=engine-jsonabcd&instrument=json_queue_depth",
            json => json.GetProperty("series").GetArrayLength() == 1);
        Assert.Equal(7, gauge.GetProperty("series")[0].GetProperty("points")[0].GetProperty("value").GetDouble());
        var sum = await TestDashboard.WaitForJsonAsync(Api, "/api/telemetry/metrics/series?resource=engine-jsonabcd&instrument=json_handled",
            json => json.GetProperty("series").GetArrayLength() == 1);
        Assert.Equal(41.5, sum.GetProperty("series")[0].GetProperty("points")[0].GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task A_gzip_compressed_payload_lands()
    {
        var body = Encoding.UTF8.GetBytes("""{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"zipped"}}]},"scopeLogs":[{"logRecords":[{"body":{"stringValue":"compressed hello"}}]}]}]}""");
        using var compressed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(body);
        }
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Dashboard.OtlpHttpUrl, "/v1/logs")) { Content = new ByteArrayContent(compressed.ToArray()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Content.Headers.ContentEncoding.Add("gzip");
        request.Headers.Add(DashboardHeaders.OtlpApiKey, Dashboard.ApiKey);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var logs = await TestDashboard.WaitForJsonAsync(Api, "/api/telemetry/logs?resource=zipped", json => json.GetProperty("records").GetArrayLength() == 1);
        Assert.Equal("compressed hello", logs.GetProperty("records")[0].GetProperty("message").GetString());

        using var corrupt = new HttpRequestMessage(HttpMethod.Post, new Uri(Dashboard.OtlpHttpUrl, "/v1/logs")) { Content = new ByteArrayContent([0x1f, 0x8b, 0x08, 0x00, 0x42, 0x42]) };
        corrupt.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        corrupt.Content.Headers.ContentEncoding.Add("gzip");
        corrupt.Headers.Add(DashboardHeaders.OtlpApiKey, Dashboard.ApiKey);
        using var refused = await client.SendAsync(corrupt);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public async Task Invalid_span_ids_are_reported_as_a_partial_success()
    {
        var body = $$$"""
            {"resourceSpans":[{"scopeSpans":[{"spans":[
              {"traceId":"{{{new string('0', 32)}}}","spanId":"0102030405060708","name":"zero trace id"},
              {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102","name":"short span id"},
              {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"fine"}]}]}]}
            """;
        using var response = await PostOtlpAsync("/v1/traces", Encoding.UTF8.GetBytes(body), "application/json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var partial = answer.RootElement.GetProperty("partialSuccess");
        Assert.Equal("2", partial.GetProperty("rejectedSpans").ToString().Trim('"'));
        Assert.False(string.IsNullOrEmpty(partial.GetProperty("errorMessage").GetString()));
    }

    [Fact]
    public async Task A_malformed_payload_gets_400_and_changes_nothing()
    {
        var before = await StatisticsAsync();
        (string Path, byte[] Body, string ContentType)[] payloads =
        [
            ("/v1/traces", [0x0A, 0xFF, 0xFF, 0xFF, 0x0F], "application/x-protobuf"),
            ("/v1/metrics", [0x0A, 0x05, 0x0A, 0x03], "application/x-protobuf"),
            ("/v1/logs", Encoding.UTF8.GetBytes("""{"resourceLogs":[{"scopeLogs":["""), "application/json"),
            ("/v1/metrics", Encoding.UTF8.GetBytes("""{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"x","gauge":{"dataPoints":[{"asDouble":"many"}]}}]}]}]}"""), "application/json"),
            ("/v1/traces", Encoding.UTF8.GetBytes("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"no-close" """), "application/json"),
        ];
        foreach (var (path, body, contentType) in payloads)
        {
            using var response = await PostOtlpAsync(path, body, contentType);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        }
        var after = await StatisticsAsync();
        Assert.Equal(before.GetProperty("version").GetInt64(), after.GetProperty("version").GetInt64());
        Assert.Equal(before.GetProperty("resources").GetInt32(), after.GetProperty("resources").GetInt32());
    }

    [Fact]
    public async Task An_unsupported_content_type_gets_415()
    {
        var before = await StatisticsAsync();
        foreach (var contentType in new[] { "text/plain", "application/xml" })
        {
            using var response = await PostOtlpAsync("/v1/traces", Encoding.UTF8.GetBytes("{}"), contentType);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        }
        using var noType = new HttpRequestMessage(HttpMethod.Post, new Uri(Dashboard.OtlpHttpUrl, "/v1/logs")) { Content = new ByteArrayContent([1, 2, 3]) };
        noType.Headers.Add(DashboardHeaders.OtlpApiKey, Dashboard.ApiKey);
        using var client = new HttpClient();
        using var noTypeResponse = await client.SendAsync(noType);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, noTypeResponse.StatusCode);
        Assert.Equal(before.GetProperty("version").GetInt64(), (await StatisticsAsync()).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task OTLP_without_a_valid_api_key_is_refused_on_both_transports()
    {
        var before = await StatisticsAsync();
        var payload = Encoding.UTF8.GetBytes("""{"resourceSpans":[]}""");
        foreach (var key in new string?[] { null, "wrong-key" })
        {
            foreach (var path in new[] { "/v1/traces", "/v1/metrics", "/v1/logs" })
            {
                using var response = await PostOtlpAsync(path, payload, "application/json", key, sendKey: key is not null);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
            foreach (var service in new[] { "trace.v1.TraceService", "metrics.v1.MetricsService", "logs.v1.LogsService" })
            {
                Assert.Equal(16, await GrpcExportStatusAsync(service, key)); // UNAUTHENTICATED
            }
        }
        Assert.Equal(0, await GrpcExportStatusAsync("trace.v1.TraceService", Dashboard.ApiKey)); // OK, with an empty export
        Assert.Equal(before.GetProperty("resources").GetInt32(), (await StatisticsAsync()).GetProperty("resources").GetInt32());

        // The exporter with a wrong key delivers nothing.
        var sourceName = OtlpTelemetrySender.UniqueName("test.rejected");
        using var source = new ActivitySource(sourceName);
        ActivityTraceId traceId;
        using (var sender = new OtlpTelemetrySender(Dashboard, OtlpExportProtocol.Grpc, "intruder", "intruder-1", sourceName, sourceName, apiKey: "wrong-key"))
        {
            traceId = OtlpTelemetrySender.RecordSpans(source, "sneaky", 1);
            sender.Flush(expectAccepted: false);
        }
        using var lookup = await Api.GetAsync(new Uri($"/api/telemetry/traces/{traceId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
    }

    private async Task<HttpResponseMessage> PostOtlpAsync(string path, byte[] body, string contentType, string? key = null, bool sendKey = true)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Dashboard.OtlpHttpUrl, path)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (sendKey)
        {
            request.Headers.Add(DashboardHeaders.OtlpApiKey, key ?? Dashboard.ApiKey);
        }
        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>A raw gRPC call (HTTP/2 without TLS) with an empty export request; returns the grpc-status it ends with.</summary>
    private async Task<int> GrpcExportStatusAsync(string service, string? key)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Dashboard.OtlpGrpcUrl, $"/opentelemetry.proto.collector.{service}/Export"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            // One uncompressed message of length zero: an export with nothing in it.
            Content = new ByteArrayContent(new byte[5]),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (key is not null)
        {
            request.Headers.Add(DashboardHeaders.OtlpApiKey, key);
        }
        using var response = await client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = response.TrailingHeaders.TryGetValues("grpc-status", out var trailer) ? trailer
            : response.Headers.TryGetValues("grpc-status", out var header) ? header // a "trailers-only" answer
            : throw new InvalidOperationException("No grpc-status in the answer.");
        return int.Parse(status.Single(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<JsonElement> StatisticsAsync() =>
        await TestDashboard.WaitForJsonAsync(Api, "/api/telemetry/stats", _ => true);

    private static string RandomHex(int bytes) => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(bytes));
}
