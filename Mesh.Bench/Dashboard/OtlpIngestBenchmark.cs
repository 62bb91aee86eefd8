using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Google.Protobuf;
using Mesh.Bench.Coordinator;
using Mesh.Dashboard.Otlp.Protos.Collector.Trace;
using Mesh.Dashboard.Otlp.Protos.Common;
using Mesh.Dashboard.Otlp.Protos.Trace;
using Mesh.Hosting;
using Mesh.Hosting.ApplicationModel;
using Mesh.Hosting.Networking;
using Mesh.Hosting.Testing;
using Mesh.Contracts.Http;

namespace Mesh.Bench.Dashboard;

/// <summary>
/// The dashboard's OTLP ingest rate over both transports, and its memory with the store at its limits: exports of
/// 500 mesh-like spans (ten per request trace, with the routing attributes) sent by several senders at once, first
/// into an empty store, then far past the 10,000-trace limit so the ring buffers evict.
/// </summary>
public static class OtlpIngestBenchmark
{
    private const int SpansPerTrace = 10;
    private const int TracesPerExport = 50;
    private const int Senders = 6;

    private static readonly string[] SpanNames =
        ["mesh.request", "workflow.start", "router.policy", "router.backend_selection", "inference.start", "engine.queue", "engine.prefill", "engine.decode", "streaming.tokens", "workflow.complete"];

    public static async Task<int> RunAsync(int traces)
    {
        Console.WriteLine($"OTLP ingest: {traces} traces of {SpansPerTrace} spans per transport, {Senders} senders.");
        var settings = new DashboardSettings { UiPort = PortAllocator.Next(), OtlpGrpcPort = PortAllocator.Next(), OtlpHttpPort = PortAllocator.Next() };
        var builder = await DistributedApplicationTestingBuilder.CreateAsync(b => b.AddDashboard("dashboard", "Mesh.Dashboard", settings));
        await using var app = await builder.BuildAsync();
        await app.StartAsync();
        await app.WaitForAllHealthyAsync(TimeSpan.FromSeconds(60));
        var pid = app.Instances.Single().Process!.ProcessId;

        var cookies = new CookieContainer();
        using var api = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri(settings.UiUrl) };
        (await api.GetAsync(new Uri($"/login?t={settings.BrowserToken}", UriKind.Relative))).Dispose();
        using var sender = new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = true, MaxConnectionsPerServer = Senders, UseProxy = false });

        var report = new Report($"Dashboard OTLP ingest ({TracesPerExport * SpansPerTrace}-span exports, {Senders} concurrent senders)",
            "transport", "spans", "seconds", "spans/s", "resident memory after");
        var idle = ResidentMegabytes(pid);
        var offset = 0;
        foreach (var transport in new[] { "http/protobuf", "grpc" })
        {
            var exports = Enumerable.Range(0, traces / TracesPerExport).Select(i => BuildExport(offset + i * TracesPerExport)).ToArray();
            offset += traces;
            var (spans, seconds) = await SendAllAsync(sender, api, settings, exports, transport);
            report.Row(transport, spans, seconds, spans / seconds, $"{ResidentMegabytes(pid):F0} MB");
        }
        var stats = await StatsAsync(api);
        report.Note(string.Create(CultureInfo.InvariantCulture,
            $"Memory: {idle:F0} MB idle; {ResidentMegabytes(pid):F0} MB with the store at its limits ({stats.GetProperty("traces").GetInt32()} traces, {stats.GetProperty("spans").GetInt32()} spans held after {stats.GetProperty("acceptedSpans").GetInt64()} accepted, the oldest evicted)."));
        Console.WriteLine($"Saved {report.Save("dashboard-otlp-ingest")}");
        return 0;
    }

    private static async Task<(long Spans, double Seconds)> SendAllAsync(HttpClient sender, HttpClient api, DashboardSettings settings, byte[][] exports, string transport)
    {
        var before = (await StatsAsync(api)).GetProperty("acceptedSpans").GetInt64();
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < exports.Length)
            {
                using var message = transport == "grpc" ? GrpcMessage(settings, exports[i]) : HttpMessage(settings, exports[i]);
                message.Headers.Add(DashboardHeaders.OtlpApiKey, settings.OtlpApiKey);
                using var response = await sender.SendAsync(message);
                await response.Content.ReadAsByteArrayAsync();
                response.EnsureSuccessStatusCode();
            }
        }));
        watch.Stop();
        var accepted = (await StatsAsync(api)).GetProperty("acceptedSpans").GetInt64() - before;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {transport}: {accepted} spans in {watch.Elapsed.TotalSeconds:F2} s"));
        return (accepted, watch.Elapsed.TotalSeconds);
    }

    private static HttpRequestMessage HttpMessage(DashboardSettings settings, byte[] export)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, new Uri($"{settings.OtlpHttpUrl}/v1/traces")) { Content = new ByteArrayContent(export) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return message;
    }

    /// <summary>A unary gRPC call by hand: a 5-byte frame header (no compression, big-endian length), HTTP/2, trailers.</summary>
    private static HttpRequestMessage GrpcMessage(DashboardSettings settings, byte[] export)
    {
        var framed = new byte[export.Length + 5];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), export.Length);
        export.CopyTo(framed, 5);
        var message = new HttpRequestMessage(HttpMethod.Post, new Uri($"{settings.OtlpGrpcUrl}/opentelemetry.proto.collector.trace.v1.TraceService/Export"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(framed),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        message.Headers.TryAddWithoutValidation("te", "trailers");
        return message;
    }

    private static byte[] BuildExport(int firstTrace)
    {
        var resource = new Mesh.Dashboard.Otlp.Protos.Resource.Resource();
        resource.Attributes.Add(Attribute("service.name", "coordinator"));
        resource.Attributes.Add(Attribute("service.instance.id", "coordinator-bench"));
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "Mesh.Coordinator" } };
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        for (var t = firstTrace; t < firstTrace + TracesPerExport; t++)
        {
            var traceId = new byte[16];
            traceId[0] = 1;
            BitConverter.TryWriteBytes(traceId.AsSpan(8), (long)t + 1);
            for (var s = 0; s < SpansPerTrace; s++)
            {
                var span = new Span
                {
                    TraceId = ByteString.CopyFrom(traceId),
                    SpanId = ByteString.CopyFrom(BitConverter.GetBytes((long)t * 100 + s + 1)),
                    ParentSpanId = s == 0 ? ByteString.Empty : ByteString.CopyFrom(BitConverter.GetBytes((long)t * 100 + 1)),
                    Name = SpanNames[s],
                    Kind = Span.Types.SpanKind.Internal,
                    StartTimeUnixNano = now + (ulong)s * 1_000_000,
                    EndTimeUnixNano = now + (ulong)s * 1_000_000 + 500_000,
                };
                span.Attributes.Add(Attribute("mesh.request_id", $"req-{t}"));
                span.Attributes.Add(Attribute("mesh.engine", "engine-abcdefgh"));
                span.Attributes.Add(Attribute("mesh.policy", "prefix_aware"));
                span.Attributes.Add(new KeyValue { Key = "mesh.cached_tokens", Value = new AnyValue { IntValue = 48 } });
                span.Attributes.Add(new KeyValue { Key = "mesh.latency_ms", Value = new AnyValue { DoubleValue = 212.5 } });
                scope.Spans.Add(span);
            }
        }
        var resourceSpans = new ResourceSpans { Resource = resource };
        resourceSpans.ScopeSpans.Add(scope);
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(resourceSpans);
        return request.ToByteArray();
    }

    private static KeyValue Attribute(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static async Task<JsonElement> StatsAsync(HttpClient api) =>
        JsonDocument.Parse(await api.GetStringAsync(new Uri("/api/telemetry/stats", UriKind.Relative))).RootElement;

    private static double ResidentMegabytes(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).Single();
}
