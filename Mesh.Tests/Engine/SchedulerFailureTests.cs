using System.Diagnostics.Metrics;
using Mesh.Engine;
using Mesh.Engine.Inference;
using Mesh.Engine.KvCache;
using Mesh.Engine.Model;
using Mesh.Engine.Scheduling;
using Mesh.Engine.Telemetry;
using Mesh.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Tests.Engine;

/// <summary>A step that throws ends the sequences it concerns and nothing else; the engine keeps serving and logs sparingly.</summary>
public sealed class SchedulerFailureTests
{
    private const int Poison = 4242;
    private const int BlockSize = 16;

    /// <summary>Samples token 500 for every row, and throws whenever a batch holds the poison token.</summary>
    private sealed class PoisonableRunner : IModelRunner
    {
        public int FailedSteps;

        public void Execute(ForwardBatch batch, Span<int> sampled)
        {
            if (batch.Tokens.AsSpan(0, batch.Rows).Contains(Poison))
            {
                Interlocked.Increment(ref FailedSteps);
                throw new InvalidOperationException("poisoned batch");
            }
            sampled.Fill(500);
        }

        public string Description => "test";

        public bool IsSimulated => true;
    }

    private static (EngineScheduler Scheduler, FakeLogger<EngineScheduler> Log, EngineStatistics Statistics) Start(PoisonableRunner runner)
    {
        var options = Options.Create(new EngineOptions { MaxBatchTokens = 256, MaxRunningSequences = 8, MaxWaitingSequences = 8 });
        var statistics = new EngineStatistics();
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        var config = ModelConfig.ForSize("tiny")!;
        var log = new FakeLogger<EngineScheduler>();
        var scheduler = new EngineScheduler(options, new KvBlockManager(64, BlockSize), runner, new EngineMetrics(meters, statistics), statistics,
            new ModelInfo("mesh-tiny", config, "test", true, true, "test"), TimeProvider.System, log);
        scheduler.Start();
        return (scheduler, log, statistics);
    }

    private static Sequence Enqueue(EngineScheduler scheduler, int[] prompt, int maxTokens)
    {
        var sequence = new Sequence(Random.Shared.NextInt64(), prompt, maxTokens, new SamplingParameters(0, 1, 1), BlockSize, CancellationToken.None);
        Assert.True(scheduler.TryEnqueue(sequence));
        return sequence;
    }

    private static async Task<(List<int> Tokens, Exception? Error)> DrainAsync(Sequence sequence)
    {
        var tokens = new List<int>();
        try
        {
            await foreach (var token in sequence.Output.ReadAllAsync().WithCancellation(TestContext.Current.CancellationToken))
            {
                tokens.Add(token);
            }
            return (tokens, null);
        }
        catch (InvalidOperationException ex)
        {
            return (tokens, ex);
        }
    }

    private static int[] Prompt(int length, int salt) => [.. Enumerable.Range(0, length).Select(i => 1000 + salt * 97 + i)];

    [Fact]
    public async Task A_failing_sequence_ends_with_an_error_while_the_sequences_batched_beside_it_complete()
    {
        var runner = new PoisonableRunner();
        var (scheduler, _, statistics) = Start(runner);
        using var _ = scheduler;
        var poisoned = Prompt(40, 1);
        poisoned[30] = Poison;

        // Enqueued together, so the first step batches all three and its forward pass fails.
        var good1 = Enqueue(scheduler, Prompt(40, 2), 12);
        var bad = Enqueue(scheduler, poisoned, 12);
        var good2 = Enqueue(scheduler, Prompt(40, 3), 12);
        var results = await Task.WhenAll(DrainAsync(good1), DrainAsync(bad), DrainAsync(good2));

        Assert.True(runner.FailedSteps >= 1);
        Assert.Null(results[0].Error);
        Assert.Equal(12, results[0].Tokens.Count);
        Assert.Equal("poisoned batch", results[1].Error?.Message);
        Assert.Equal("error", bad.FinishReason);
        Assert.Null(results[2].Error);
        Assert.Equal(12, results[2].Tokens.Count);

        // The engine still serves, and nothing is left running or holding blocks.
        var after = await DrainAsync(Enqueue(scheduler, Prompt(20, 4), 4));
        Assert.Equal(4, after.Tokens.Count);
        await Eventually.TrueAsync(() => statistics.Running == 0 && statistics.KvBlocksUsed == 0,
            () => $"running {statistics.Running}, blocks used {statistics.KvBlocksUsed}");
    }

    [Fact]
    public async Task A_sequence_that_fails_alone_is_ended_once_and_the_failure_is_not_retried()
    {
        var runner = new PoisonableRunner();
        var (scheduler, log, _) = Start(runner);
        using var _ = scheduler;
        var poisoned = Prompt(20, 5);
        poisoned[0] = Poison;

        var result = await DrainAsync(Enqueue(scheduler, poisoned, 4));

        Assert.NotNull(result.Error);
        Assert.Equal(1, runner.FailedSteps);
        Assert.Single(log.Collector.GetSnapshot(), r => r.Level == LogLevel.Error);
    }

    [Fact]
    public void Repeated_identical_failures_are_logged_once_per_window_with_the_count_held_back()
    {
        var time = new FakeTimeProvider();
        var logger = new FakeLogger();
        var failures = new StepFailureLog(logger, time);
        var error = Throw();

        for (var i = 0; i < 1000; i++)
        {
            failures.Report(error, 1);
        }
        Assert.Equal(1, logger.Collector.Count);
        failures.Report(new ArgumentException("another failure"), 1);
        Assert.Equal(2, logger.Collector.Count);

        time.Advance(StepFailureLog.Window);
        failures.Report(error, 1);
        Assert.Equal(3, logger.Collector.Count);
        Assert.Contains("999 identical failure(s) not logged", logger.Collector.LatestRecord.Message, StringComparison.Ordinal);

        static Exception Throw()
        {
            try
            {
                var empty = Array.Empty<int>();
                return new InvalidOperationException(empty[-1 + empty.Length].ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (IndexOutOfRangeException ex)
            {
                return ex;
            }
        }
    }

    [Fact]
    public void An_empty_prompt_cannot_become_a_sequence() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sequence(1, [], 4, new SamplingParameters(0, 1, 1), BlockSize, CancellationToken.None));
}
