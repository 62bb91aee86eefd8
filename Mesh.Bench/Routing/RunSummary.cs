using Mesh.Bench.Coordinator;

namespace Mesh.Bench.Routing;

/// <summary>What the field reports for one run: hits against the oracle, TTFT and latency percentiles, throughput, goodput under a TTFT SLO, errors and load balance.</summary>
public sealed record RunSummary(
    string Workload,
    string Policy,
    int Coordinators,
    double Rate,
    double RateShareOfCapacity,
    int Requests,
    int Errors,
    double HitRate,
    double OracleHitRate,
    double TtftP50,
    double TtftP90,
    double TtftP99,
    double LatencyP50,
    double LatencyP99,
    double Throughput,
    double OutputTokensPerSecond,
    double Goodput,
    double SloMs,
    double RequestsPerEngineCv)
{
    public double ShareOfOracle => OracleHitRate > 0 ? HitRate / OracleHitRate : 0;

    public static RunSummary Of(
        Workload workload, PrefixOracle oracle, string policy, int coordinators, double rate, double capacity, double sloMs,
        IReadOnlyList<string> engines, IReadOnlyList<TimedResult> results)
    {
        var ok = results.Where(r => r.Ok).ToList();
        var prompt = ok.Sum(r => (long)r.Result.PromptTokens);
        var cached = ok.Sum(r => (long)r.Result.CachedTokens);
        var oracleCached = ok.Sum(r => (long)oracle.CachedTokens[r.Index]);
        var oraclePrompt = ok.Sum(r => (long)oracle.PromptTokens[r.Index]);
        var ttfts = ok.Select(r => r.Result.TimeToFirstTokenMs).ToList();
        var latencies = ok.Select(r => r.Result.LatencyMs).ToList();
        var span = results.Count == 0 ? 1 : Math.Max(1, (results.Max(r => r.DoneAtMs) - results.Min(r => r.SentAtMs)) / 1000);
        var perEngine = engines.Select(e => (double)ok.Count(r => r.Result.Engine == e)).ToArray();
        var mean = perEngine.Length > 0 ? perEngine.Average() : 0;
        var cv = mean > 0 ? Math.Sqrt(perEngine.Average(n => (n - mean) * (n - mean))) / mean : 0;
        return new RunSummary(
            workload.Name, policy, coordinators, rate, rate / capacity, results.Count, results.Count - ok.Count,
            prompt > 0 ? (double)cached / prompt : 0, oraclePrompt > 0 ? (double)oracleCached / oraclePrompt : 0,
            Percentiles.Of(ttfts, 50), Percentiles.Of(ttfts, 90), Percentiles.Of(ttfts, 99),
            Percentiles.Of(latencies, 50), Percentiles.Of(latencies, 99),
            ok.Count / span, ok.Sum(r => (double)r.Result.CompletionTokens) / span, ok.Count(r => r.Result.TimeToFirstTokenMs <= sloMs) / span,
            sloMs, cv);
    }
}
