using System.Text.Json.Serialization;
using Mesh.Dashboard.MeshView;
using Mesh.Dashboard.Storage;
using Mesh.Dashboard.Storage.Metrics;

namespace Mesh.Dashboard.Api;

/// <summary>Source-generated serialization for the query API: camelCase names, enums as text.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    Converters = [typeof(TraceIdJsonConverter)])]
[JsonSerializable(typeof(TelemetryStoreStatistics))]
[JsonSerializable(typeof(ApiResource[]))]
[JsonSerializable(typeof(ApiTraceSummary[]))]
[JsonSerializable(typeof(ApiTrace))]
[JsonSerializable(typeof(ApiLogPage))]
[JsonSerializable(typeof(MetricInstrumentSummary[]))]
[JsonSerializable(typeof(ApiInstrumentData))]
[JsonSerializable(typeof(MeshOverview))]
[JsonSerializable(typeof(ApiResourceServiceState))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
