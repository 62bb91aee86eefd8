using System.Text;

namespace Mesh.Bench.Routing;

/// <summary>
/// A request stream in one of the shapes the field publishes, generated from a fixed seed so that every policy,
/// rate and coordinator count sees exactly the same requests in the same order. Sizes are in words of a plain
/// vocabulary, each about one cl100k token; the suite reports the real token counts.
/// </summary>
public sealed record Workload(string Name, string Shape, IReadOnlyList<WorkloadRequest> Requests)
{
    private static readonly string[] Vocabulary =
    [
        "route", "cache", "engine", "block", "token", "prefix", "latency", "replica", "stream", "decode", "prefill", "queue",
        "policy", "tier", "model", "answer", "question", "system", "user", "memory", "batch", "server", "client", "request",
        "time", "first", "table", "value", "record", "field", "order", "price", "market", "weather", "travel", "city",
        "river", "music", "paper", "letter", "report", "budget", "health", "garden", "window", "energy", "planet", "signal",
    ];

    public const int OutputTokens = 16;

    /// <summary>
    /// llm-d's shared-prefix benchmark: many groups with few prompts each, a long system prompt per group and a medium
    /// question per prompt, popularity uniform. The groups' prefixes are several times one engine's cache and most of the
    /// cluster's.
    /// </summary>
    public static Workload SharedPrefixUniform(int groups = 48, int requests = 480, int systemWords = 1500, int questionWords = 300)
    {
        var random = new Random(11);
        var systems = Enumerable.Range(0, groups).Select(g => Text(new Random(1000 + g), $"You are the assistant of team {g}.", systemWords)).ToArray();
        var arrivals = PoissonArrivals(random, requests);
        var list = new List<WorkloadRequest>(requests);
        for (var i = 0; i < requests; i++)
        {
            var group = random.Next(groups);
            list.Add(new WorkloadRequest(i, $"g{group}", [("system", systems[group]), ("user", Text(random, $"Question {i}:", questionWords))],
                OutputTokens, arrivals[i]));
        }
        return new Workload("uniform", $"shared prefix, uniform: {groups} groups, system ~{systemWords} tokens, question ~{questionWords}, {requests} requests", list);
    }

    /// <summary>
    /// Preble's ToolBench shape: about 200 tool prompts shared with Zipf(1.1) popularity, so a few are hot and most are
    /// rare, each followed by a short user query.
    /// </summary>
    public static Workload SharedPrefixZipf(int prefixes = 200, int requests = 800, int toolWords = 480, int questionWords = 100, double exponent = 1.1)
    {
        var random = new Random(12);
        var tools = Enumerable.Range(0, prefixes).Select(t => Text(new Random(2000 + t), $"Tool {t} instructions:", toolWords)).ToArray();
        var weights = Enumerable.Range(1, prefixes).Select(k => 1 / Math.Pow(k, exponent)).ToArray();
        var arrivals = PoissonArrivals(random, requests);
        var list = new List<WorkloadRequest>(requests);
        for (var i = 0; i < requests; i++)
        {
            var tool = Draw(random, weights);
            list.Add(new WorkloadRequest(i, $"t{tool}", [("system", tools[tool]), ("user", Text(random, $"Task {i}:", questionWords))],
                OutputTokens, arrivals[i]));
        }
        return new Workload("zipf", $"shared prefix, Zipf {exponent}: {prefixes} tool prompts ~{toolWords} tokens, query ~{questionWords}, {requests} requests", list);
    }

    /// <summary>
    /// Multi-turn conversations replayed from a recorded script (as ShareGPT replays are): each turn sends the whole
    /// history with the recorded replies plus a new question, and waits for the previous turn to finish. Conversations
    /// start at random times and pause a random think time between turns, so their turns interleave as real users' do.
    /// </summary>
    public static Workload MultiTurn(int sessions = 32, int turns = 8, int systemWords = 200, int userWords = 80, int replyWords = 60)
    {
        var random = new Random(13);
        var total = sessions * turns;
        // At one request per second the stream lasts `total` seconds: conversations start in its first half and take
        // their turns at exponential gaps that fit the rest.
        var meanGap = total / 2.0 / (turns - 1);
        var planned = new List<(double At, int Session, int Turn)>(total);
        for (var s = 0; s < sessions; s++)
        {
            var at = random.NextDouble() * total / 2;
            for (var t = 0; t < turns; t++)
            {
                planned.Add((at, s, t));
                at += -Math.Log(1 - random.NextDouble()) * meanGap;
            }
        }
        var histories = Enumerable.Range(0, sessions)
            .Select(s => new List<(string, string)> { ("system", Text(new Random(3000 + s), $"You help customer {s}.", systemWords)) })
            .ToArray();
        var previous = new int?[sessions];
        var list = new List<WorkloadRequest>(total);
        foreach (var (at, session, turn) in planned.OrderBy(p => p.At))
        {
            var history = histories[session];
            history.Add(("user", Text(new Random(4000 + session * 100 + turn), $"Turn {turn}:", userWords)));
            list.Add(new WorkloadRequest(list.Count, $"s{session}", [.. history], OutputTokens, at, previous[session]));
            history.Add(("assistant", Text(new Random(5000 + session * 100 + turn), "Recorded reply:", replyWords)));
            previous[session] = list.Count - 1;
        }
        return new Workload("multiturn", $"multi-turn: {sessions} conversations x {turns} turns, system ~{systemWords}, +{userWords} per question, +{replyWords} per recorded reply", list);
    }

    /// <summary>The control: every prompt is its own, so no routing can find a cached prefix.</summary>
    public static Workload LowSharing(int requests = 480, int words = 1000)
    {
        var random = new Random(14);
        var arrivals = PoissonArrivals(random, requests);
        var list = Enumerable.Range(0, requests)
            .Select(i => new WorkloadRequest(i, $"u{i}", [("user", Text(random, $"Document {i}:", words))], OutputTokens, arrivals[i]))
            .ToList();
        return new Workload("lowshare", $"low sharing: {requests} distinct prompts of ~{words} tokens", list);
    }

    public static Workload? Named(string name) => name switch
    {
        "uniform" => SharedPrefixUniform(),
        "zipf" => SharedPrefixZipf(),
        "multiturn" => MultiTurn(),
        "lowshare" => LowSharing(),
        _ => null,
    };

    public static readonly string[] Names = ["uniform", "zipf", "multiturn", "lowshare"];

    private static string Text(Random random, string opening, int words)
    {
        var text = new StringBuilder(opening, words * 8);
        for (var w = 0; w < words; w++)
        {
            text.Append(' ').Append(Vocabulary[random.Next(Vocabulary.Length)]);
            if (w % 15 == 14)
            {
                text.Append('.');
            }
        }
        return text.ToString();
    }

    /// <summary>Arrival times of a Poisson process of rate one (exponential gaps), as the field's load generators use.</summary>
    private static double[] PoissonArrivals(Random random, int count)
    {
        var times = new double[count];
        var t = 0.0;
        for (var i = 0; i < count; i++)
        {
            t += -Math.Log(1 - random.NextDouble());
            times[i] = t;
        }
        return times;
    }

    private static int Draw(Random random, double[] weights)
    {
        var draw = random.NextDouble() * weights.Sum();
        for (var k = 0; k < weights.Length; k++)
        {
            draw -= weights[k];
            if (draw <= 0)
            {
                return k;
            }
        }
        return weights.Length - 1;
    }
}
