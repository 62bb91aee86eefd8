using Mesh.Contracts.Telemetry;
using Mesh.Dashboard.Storage;
using Mesh.Dashboard.Storage.Metrics;

namespace Mesh.Dashboard.MeshView;

/// <summary>
/// Computes the mesh page from the store: engines from the <c>Mesh.Engine</c> gauges of each replica, routing and
/// cache rates from the <c>Mesh.Coordinator</c> counters, and the latest requests from their traces.
/// </summary>
internal sealed class MeshOverviewBuilder(TelemetryStore store, TimeProvider time)
{
    public static readonly TimeSpan DefaultRateWindow = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan HistoryWindow = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan HistoryBucket = TimeSpan.FromSeconds(2);

    private static readonly string[] FailureCounters =
    [
        MetricNames.InvalidMessage, MetricNames.InternalError, MetricNames.UnknownSender,
        MetricNames.EngineUnreachable, MetricNames.AllEnginesExhausted,
    ];

    /// <summary>The per-request figures, recorded in seconds (and tokens per second), shown in milliseconds.</summary>
    private static readonly (string Name, string Label, string Unit, double Scale)[] LatencyHistograms =
    [
        (MetricNames.TimeToFirstToken, "Time to first token", "ms", 1000),
        (MetricNames.Latency, "Latency", "ms", 1000),
        (MetricNames.TotalTime, "Total time", "ms", 1000),
        (MetricNames.TokensPerSecond, "Tokens per second", "tok/s", 1),
    ];

    /// <summary>A resource that reports any of these is shown as an engine, whatever its meter is called.</summary>
    private static readonly string[] EngineInstruments =
    [
        MetricNames.EngineKvBlocksUsed, MetricNames.EngineKvBlocksCached, MetricNames.EngineKvBlocksCapacity, MetricNames.EngineRunningSequences,
        MetricNames.EngineWaitingSequences, MetricNames.EnginePrefillTokensPerSecond, MetricNames.EngineDecodeTokensPerSecond,
        MetricNames.EnginePromptTokens, MetricNames.EngineCachedPromptTokens, MetricNames.EngineGeneratedTokens, MetricNames.EngineTimeToFirstToken,
    ];

    public MeshOverview Build(int requestLimit = 25, TimeSpan? rateWindow = null)
    {
        var window = rateWindow ?? DefaultRateWindow;
        var now = time.GetUtcNow();
        var from = now - HistoryWindow;

        var decisions = Snapshot(MetricNames.RoutingDecisions, from);
        var hits = Snapshot(MetricNames.RoutingCacheHit, from);
        var misses = Snapshot(MetricNames.RoutingCacheMiss, from);
        var stale = Snapshot(MetricNames.RoutingStaleDetected, from);

        var hitRate = Counter(MetricNames.RoutingCacheHit, hits, window);
        var missRate = Counter(MetricNames.RoutingCacheMiss, misses, window);
        var requests = store.Traces.FindTracesWithSpan(TraceAttributes.RequestSpan, requestLimit)
            .SelectMany(MeshRequestReader.ReadAll)
            .OrderByDescending(request => request.Start)
            .Take(requestLimit)
            .ToList();
        var workflowRuns = store.Traces.FindTracesWithSpan(TraceAttributes.WorkflowRunSpan, 10)
            .Select(trace => new WorkflowRunView(trace.Summary.TraceId, trace.Summary.Start, trace.Summary.Duration,
                [.. MeshRequestReader.ReadAll(trace).OrderBy(request => request.Start)]))
            .ToList();

        return new MeshOverview
        {
            GeneratedAt = now,
            RateWindow = window,
            Engines = BuildEngines(decisions, hits, misses, requests, window, from),
            ActiveEngines = ActiveEngines(Snapshot(MetricNames.ActiveEngines, from)),
            Decisions = BuildDecisions(decisions, window),
            CacheHits = hitRate,
            CacheMisses = missRate,
            StaleDetected = Counter(MetricNames.RoutingStaleDetected, stale, window),
            CacheHitRatio = Ratio(hitRate.RecentIncrease, missRate.RecentIncrease) ?? Ratio(hitRate.Total, missRate.Total),
            Failures = [.. FailureCounters.Select(name => Counter(name, Snapshot(name, from), window))],
            Latencies = [.. LatencyHistograms.Select(histogram => Latency(histogram.Name, histogram.Label, histogram.Unit, histogram.Scale, Snapshot(histogram.Name, from), window))],
            DecisionHistory = BuildDecisionHistory(decisions),
            CacheHistory =
            [
                new ChartSeries("hits/s", RateLine(hits)),
                new ChartSeries("misses/s", RateLine(misses)),
                new ChartSeries("stale/s", RateLine(stale)),
            ],
            Requests = requests,
            WorkflowRuns = workflowRuns,
        };
    }

    private IReadOnlyList<MetricInstrumentSnapshot> Snapshot(string name, DateTimeOffset from) =>
        store.Metrics.SnapshotAcrossResources(name, from);

    private static IEnumerable<(MetricInstrumentSnapshot Instrument, MetricSeriesSnapshot Series)> AllSeries(IReadOnlyList<MetricInstrumentSnapshot> instruments) =>
        instruments.SelectMany(instrument => instrument.Series.Select(series => (instrument, series)));

    /// <summary>Each coordinator reports the engines it can route to; they share one registry, so the largest view is the mesh's.</summary>
    private static double? ActiveEngines(IReadOnlyList<MetricInstrumentSnapshot> instruments) =>
        instruments.Count == 0 ? null : instruments.Max(instrument => instrument.Series.Sum(series => MetricMath.Latest(series.Points) ?? 0));

    private static CounterRate Counter(string name, IReadOnlyList<MetricInstrumentSnapshot> instruments, TimeSpan window)
    {
        double total = 0, increase = 0, perSecond = 0;
        foreach (var (instrument, series) in AllSeries(instruments))
        {
            total += TotalOf(instrument, series);
            if (MetricMath.IncreaseOver(series.Points, instrument.Instrument.Temporality, window) is { } recent)
            {
                increase += recent.Amount;
                perSecond += recent.Amount / recent.Seconds;
            }
        }
        return new CounterRate(name, total, increase, perSecond);
    }

    /// <summary>A cumulative counter's latest value is its total; a delta counter's points add up to what the store still holds.</summary>
    private static double TotalOf(MetricInstrumentSnapshot instrument, MetricSeriesSnapshot series) =>
        instrument.Instrument.Temporality == MetricTemporality.Delta
            ? series.Points.Sum(point => point.Value)
            : MetricMath.Latest(series.Points) ?? 0;

    private static double? Ratio(double part, double other) => part + other > 0 ? part / (part + other) : null;

    private static IReadOnlyList<ChartPoint> RateLine(IReadOnlyList<MetricInstrumentSnapshot> instruments) =>
        ChartAggregation.Sum(AllSeries(instruments).Select(pair => MetricMath.Rates(pair.Series.Points, pair.Instrument.Instrument.Temporality)), HistoryBucket);

    private static List<RoutingDecisionRate> BuildDecisions(IReadOnlyList<MetricInstrumentSnapshot> decisions, TimeSpan window) =>
        [.. AllSeries(decisions)
            .GroupBy(pair => (
                Policy: pair.Series.Attribute("policy") ?? "(none)",
                TierPolicy: pair.Series.Attribute("tier_policy") ?? "(none)",
                Reason: pair.Series.Attribute("reason") ?? "(none)"))
            .Select(group => new RoutingDecisionRate(
                group.Key.Policy, group.Key.TierPolicy, group.Key.Reason,
                group.Sum(pair => MetricMath.RateOver(pair.Series.Points, pair.Instrument.Instrument.Temporality, window) ?? 0),
                group.Sum(pair => TotalOf(pair.Instrument, pair.Series))))
            .OrderByDescending(rate => rate.PerSecond)
            .ThenByDescending(rate => rate.Total)];

    private static List<ChartSeries> BuildDecisionHistory(IReadOnlyList<MetricInstrumentSnapshot> decisions) =>
        [.. AllSeries(decisions)
            .GroupBy(pair => $"{pair.Series.Attribute("policy") ?? "(none)"} · {pair.Series.Attribute("reason") ?? "(none)"}")
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => new ChartSeries(group.Key, ChartAggregation.Sum(
                group.Select(pair => MetricMath.Rates(pair.Series.Points, pair.Instrument.Instrument.Temporality)), HistoryBucket)))];

    private static LatencySummary Latency(string name, string label, string unit, double scale, IReadOnlyList<MetricInstrumentSnapshot> instruments, TimeSpan window)
    {
        MetricDistribution? merged = null;
        foreach (var (instrument, series) in AllSeries(instruments))
        {
            if (series.Points.Length == 0)
            {
                continue;
            }
            var recent = MetricMath.WindowDistribution(series.Points, series.Points.Length - 1, instrument.Instrument.Temporality, window);
            if (recent is null || recent.Count == 0)
            {
                continue;
            }
            merged = merged is null ? recent : MetricMath.Merge(merged, recent);
        }
        return merged is null
            ? new LatencySummary(name, label, unit, null, null, null, 0)
            : new LatencySummary(name, label, unit, MetricMath.Percentile(merged, 0.5) * scale, MetricMath.Percentile(merged, 0.9) * scale,
                MetricMath.Percentile(merged, 0.99) * scale, merged.Count);
    }

    private List<EngineStatus> BuildEngines(
        IReadOnlyList<MetricInstrumentSnapshot> decisions, IReadOnlyList<MetricInstrumentSnapshot> hits, IReadOnlyList<MetricInstrumentSnapshot> misses,
        IReadOnlyList<MeshRequest> requests, TimeSpan window, DateTimeOffset from)
    {
        // Engines that report: every resource with engine instruments, by instrument name.
        var gauges = EngineInstruments
            .SelectMany(name => store.Metrics.SnapshotAcrossResources(name, from))
            .GroupBy(snapshot => snapshot.Instrument.Resource, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(
                resource => resource.Key,
                // One instrument name per engine; should two meters of one resource both have it, the fresher wins.
                resource => resource.GroupBy(snapshot => snapshot.Instrument.Name, StringComparer.Ordinal)
                    .ToDictionary(name => name.Key, name => name.MaxBy(snapshot => snapshot.Instrument.LastTime)!, StringComparer.Ordinal),
                StringComparer.OrdinalIgnoreCase);

        var tiers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var request in requests.AsEnumerable().Reverse())
        {
            foreach (var candidate in request.Selection?.Candidates ?? [])
            {
                if (!string.IsNullOrEmpty(candidate.Tier))
                {
                    tiers[candidate.Engine] = candidate.Tier;
                }
            }
        }
        foreach (var (_, series) in AllSeries(decisions).Concat(AllSeries(hits)).Concat(AllSeries(misses)))
        {
            if (series.Attribute("engine") is { } engine && series.Attribute("tier") is { } tier)
            {
                tiers[engine] = tier;
            }
        }

        var names = new SortedSet<string>(gauges.Keys, StringComparer.OrdinalIgnoreCase);
        foreach (var (_, series) in AllSeries(decisions))
        {
            if (series.Attribute("engine") is { Length: > 0 } engine)
            {
                names.Add(engine);
            }
        }

        return [.. names.Select(name =>
        {
            var byName = gauges.GetValueOrDefault(name);
            double? Gauge(string instrument) => byName?.GetValueOrDefault(instrument) is { } snapshot
                ? snapshot.Series.Sum(series => MetricMath.Latest(series.Points) ?? 0)
                : null;
            return new EngineStatus
            {
                Name = name,
                Tier = tiers.GetValueOrDefault(name),
                ReportsMetrics = byName is not null,
                Running = Gauge(MetricNames.EngineRunningSequences),
                Waiting = Gauge(MetricNames.EngineWaitingSequences),
                KvBlocksUsed = Gauge(MetricNames.EngineKvBlocksUsed),
                KvBlocksCached = Gauge(MetricNames.EngineKvBlocksCached),
                KvBlocksTotal = Gauge(MetricNames.EngineKvBlocksCapacity),
                PrefillTokensPerSecond = Gauge(MetricNames.EnginePrefillTokensPerSecond),
                DecodeTokensPerSecond = Gauge(MetricNames.EngineDecodeTokensPerSecond),
                PrefixCacheHitRate = PrefixHitRate(byName, window),
                RoutedPerSecond = EngineIncrease(decisions, name, window) is { } routed ? routed.Amount / routed.Seconds : null,
                RoutingHitRatio = RoutingHitRatio(EngineIncrease(hits, name, window), EngineIncrease(misses, name, window)),
                LastSeen = byName?.Values.Max(snapshot => snapshot.Instrument.LastTime),
            };
        })];
    }

    /// <summary>How much the counter's series for <paramref name="engine"/> grew in the window, summed over policies and coordinators.</summary>
    private static (double Amount, double Seconds)? EngineIncrease(IReadOnlyList<MetricInstrumentSnapshot> instruments, string engine, TimeSpan window)
    {
        var increases = AllSeries(instruments)
            .Where(pair => string.Equals(pair.Series.Attribute("engine"), engine, StringComparison.OrdinalIgnoreCase))
            .Select(pair => MetricMath.IncreaseOver(pair.Series.Points, pair.Instrument.Instrument.Temporality, window))
            .OfType<(double Amount, double Seconds)>()
            .ToList();
        // Series of one counter cover the same export intervals, so their amounts add over the longest span among them.
        return increases.Count == 0 ? null : (increases.Sum(increase => increase.Amount), increases.Max(increase => increase.Seconds));
    }

    private static double? RoutingHitRatio((double Amount, double Seconds)? hits, (double Amount, double Seconds)? misses)
    {
        var hitCount = hits?.Amount ?? 0;
        var total = hitCount + (misses?.Amount ?? 0);
        return total > 0 ? hitCount / total : null;
    }

    private static double? PrefixHitRate(Dictionary<string, MetricInstrumentSnapshot>? byName, TimeSpan window)
    {
        if (byName?.GetValueOrDefault(MetricNames.EnginePromptTokens) is not { } prompt
            || byName.GetValueOrDefault(MetricNames.EngineCachedPromptTokens) is not { } cached)
        {
            return null;
        }
        double Rate(MetricInstrumentSnapshot snapshot) => snapshot.Series.Sum(series => MetricMath.RateOver(series.Points, snapshot.Instrument.Temporality, window) ?? 0);
        double Total(MetricInstrumentSnapshot snapshot) => snapshot.Series.Sum(series => TotalOf(snapshot, series));
        var promptRate = Rate(prompt);
        return promptRate > 0 ? Math.Clamp(Rate(cached) / promptRate, 0, 1) : Total(prompt) > 0 ? Math.Clamp(Total(cached) / Total(prompt), 0, 1) : null;
    }
}
