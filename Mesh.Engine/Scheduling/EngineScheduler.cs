using System.Collections.Concurrent;
using Mesh.Contracts.OpenAI;
using Mesh.Contracts.Tokenization;
using Mesh.Engine.Inference;
using Mesh.Engine.KvCache;
using Mesh.Engine.Model;
using Mesh.Engine.Telemetry;
using Microsoft.Extensions.Options;

namespace Mesh.Engine.Scheduling;

/// <summary>
/// Continuous batching. One thread runs steps: each step admits waiting sequences while there are slots and KV
/// blocks, then puts one decode row per running sequence and chunks of pending prompts into one batch for the
/// model. Sequences join and leave between steps. When a decoding sequence needs a block and none is left, the
/// most recently admitted sequence is preempted: its blocks go back (its full ones stay cached) and it waits
/// to be recomputed, which the prefix cache makes cheap.
/// </summary>
public sealed class EngineScheduler : IDisposable
{
    private readonly EngineOptions _options;
    private readonly KvBlockManager _blocks;
    private readonly IModelRunner _runner;
    private readonly EngineMetrics _metrics;
    private readonly EngineStatistics _statistics;
    private readonly TimeProvider _time;
    private readonly ILogger<EngineScheduler> _logger;
    private readonly StepFailureLog _failures;
    private readonly int _contextWindow;

    private readonly ConcurrentQueue<Sequence> _incoming = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly LinkedList<Sequence> _waiting = new();
    private readonly List<Sequence> _running = [];
    private readonly ForwardBatch _batch;
    private readonly List<(Sequence Sequence, int End, int SampleIndex)> _stepSequences = [];
    private readonly int[] _sampled;
    private readonly CancellationTokenSource _stopping = new();
    private Thread? _thread;
    private int _queued;
    private TaskCompletionSource? _resetRequest;
    /// <summary>The sequence being admitted or given rows, so a step that fails there knows whom it concerns.</summary>
    private Sequence? _current;
    /// <summary>Sequences of a batch whose forward pass failed, run one per step until each has run alone once.</summary>
    private readonly Queue<Sequence> _suspects = new();
    private int _consecutiveFailures;

    public EngineScheduler(
        IOptions<EngineOptions> options,
        KvBlockManager blocks,
        IModelRunner runner,
        EngineMetrics metrics,
        EngineStatistics statistics,
        ModelInfo model,
        TimeProvider time,
        ILogger<EngineScheduler> logger)
    {
        _options = options.Value;
        _blocks = blocks;
        _runner = runner;
        _metrics = metrics;
        _statistics = statistics;
        _time = time;
        _logger = logger;
        _failures = new StepFailureLog(logger, time);
        _contextWindow = model.ContextWindow;
        _batch = new ForwardBatch(_options.MaxBatchTokens);
        _sampled = new int[_options.MaxBatchTokens];
        _statistics.KvBlocksTotal = blocks.Capacity;
    }

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "engine-scheduler" };
        _thread.Start();
    }

    /// <summary>Queues a sequence; false when the waiting queue is full.</summary>
    public bool TryEnqueue(Sequence sequence)
    {
        if (Interlocked.Increment(ref _queued) > _options.MaxWaitingSequences + _options.MaxRunningSequences)
        {
            Interlocked.Decrement(ref _queued);
            _statistics.Rejected++;
            return false;
        }
        sequence.Cancellation.UnsafeRegister(static state => ((AutoResetEvent)state!).Set(), _wake);
        _incoming.Enqueue(sequence);
        _wake.Set();
        return true;
    }

    /// <summary>Forgets every cached prefix at the start of the next step; completes when done.</summary>
    public Task ResetCacheAsync()
    {
        var request = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = Interlocked.CompareExchange(ref _resetRequest, request, null);
        _wake.Set();
        return (pending ?? request).Task;
    }

    private void Run()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                Step();
                _consecutiveFailures = 0;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                EndFailedStep(ex);
            }
        }
        foreach (var sequence in _running.Concat(_waiting).Concat(_incoming).ToArray())
        {
            Finish(sequence, "cancelled");
        }
    }

    /// <summary>
    /// A step that throws ends the sequences it concerns with an error, so none is left running to fail the same
    /// way on every step, and the rest keep being served:
    /// - failing on one sequence (admitting it, batching it, applying its result) concerns that one; the others'
    ///   rows are dropped unrun or unapplied and computed again next step, which yields the same tokens;
    /// - failing in the forward pass of a batch of several sequences does not say which one is at fault, so each
    ///   runs alone for a step: the one that fails alone is ended, the others carry on.
    /// A failure that concerns no sequence backs off, so it cannot spin a core.
    /// </summary>
    private void EndFailedStep(Exception error)
    {
        List<Sequence> concerned = [];
        if (_current is { } current)
        {
            concerned.Add(current);
        }
        else if (_stepSequences.Count == 1)
        {
            concerned.Add(_stepSequences[0].Sequence);
        }
        else
        {
            foreach (var (sequence, _, _) in _stepSequences)
            {
                _suspects.Enqueue(sequence);
            }
        }
        // Logged before the sequences end, so whoever reads a failed stream finds its cause already in the log.
        _failures.Report(error, concerned.Count);
        foreach (var sequence in concerned)
        {
            Finish(sequence, "error", error);
            _statistics.RequestsFailed++;
        }
        var isolating = concerned.Count == 0 && _stepSequences.Count > 1;
        _stepSequences.Clear();
        _batch.Clear();
        _current = null;
        if (concerned.Count == 0 && !isolating)
        {
            _consecutiveFailures++;
            _wake.WaitOne(TimeSpan.FromMilliseconds(Math.Min(1000, 10 << Math.Min(_consecutiveFailures, 7))));
        }
        Publish();
    }

    private void Step()
    {
        if (Interlocked.Exchange(ref _resetRequest, null) is { } reset)
        {
            _blocks.Reset();
            _logger.LogInformation("Prefix cache reset: every cached block forgotten.");
            reset.TrySetResult();
        }
        while (_incoming.TryDequeue(out var incoming))
        {
            _waiting.AddLast(incoming);
        }
        DropCancelled();
        Admit();
        Publish();
        if (_running.Count == 0)
        {
            _wake.WaitOne(TimeSpan.FromMilliseconds(250));
            return;
        }
        BuildBatch();
        if (_batch.Rows == 0)
        {
            _wake.WaitOne(TimeSpan.FromMilliseconds(5));
            return;
        }
        var started = _time.GetTimestamp();
        _runner.Execute(_batch, _sampled.AsSpan(0, _batch.SampleCount));
        _statistics.ObserveStep(_batch.PrefillRows, _batch.DecodeRows, _time.GetElapsedTime(started).TotalMilliseconds);
        if (_batch.DecodeRows > 0)
        {
            _metrics.DecodeStep(_batch.DecodeRows);
        }
        if (_suspects.Count > 0 && _stepSequences[0].Sequence == _suspects.Peek())
        {
            _suspects.Dequeue(); // it ran alone without failing: not the one at fault
        }
        ApplyResults();
        Publish();
    }

    private void DropCancelled()
    {
        for (var i = _running.Count - 1; i >= 0; i--)
        {
            if (_running[i].Cancellation.IsCancellationRequested)
            {
                Finish(_running[i], "cancelled");
            }
        }
        for (var node = _waiting.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.Cancellation.IsCancellationRequested)
            {
                Finish(node.Value, "cancelled");
            }
            node = next;
        }
    }

    private void Admit()
    {
        while (_running.Count < _options.MaxRunningSequences && _waiting.First is { } node)
        {
            var sequence = node.Value;
            if (BlocksFor(sequence.Length + 1, sequence.BlockSize) > _blocks.AvailableBlocks)
            {
                return; // first come, first served: wait until blocks free up
            }
            _waiting.RemoveFirst();
            _current = sequence;
            var matched = _blocks.MatchPrefix(sequence.BlockHashes.AsSpan(0, sequence.HashedBlocks));
            for (var b = 0; b < matched; b++)
            {
                sequence.BlockTable[b] = _blocks.AcquireCached(sequence.BlockHashes[b]);
                sequence.BlockCount = b + 1;
            }
            sequence.RegisteredBlocks = matched;
            sequence.ComputedTokens = matched * sequence.BlockSize;
            EnsureBlocks(sequence, sequence.Length);
            if (!sequence.Admitted)
            {
                sequence.Admitted = true;
                sequence.AdmittedAt = _time.GetTimestamp();
                sequence.CachedPromptTokens = Math.Min(sequence.ComputedTokens, sequence.PromptLength);
                _statistics.PromptTokens += sequence.PromptLength;
                _statistics.CachedPromptTokens += sequence.CachedPromptTokens;
                _metrics.Admitted(sequence.PromptLength, sequence.CachedPromptTokens,
                    _time.GetElapsedTime(sequence.EnqueuedAt, sequence.AdmittedAt).TotalSeconds);
            }
            _running.Add(sequence);
            _current = null;
        }
    }

    private void BuildBatch()
    {
        _batch.Clear();
        _stepSequences.Clear();
        while (_suspects.TryPeek(out var suspect) && !_running.Contains(suspect))
        {
            _suspects.Dequeue(); // finished, cancelled or preempted since
        }
        if (_suspects.TryPeek(out var alone))
        {
            AddRows(alone, IsDecoding(alone));
            return;
        }
        // Decode rows first (one token each, latency-critical), then prompt chunks in admission order.
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = 0; i < _running.Count && _batch.RemainingRows > 0; i++)
            {
                var sequence = _running[i];
                var decoding = IsDecoding(sequence);
                if (decoding == (pass == 0))
                {
                    AddRows(sequence, decoding);
                }
            }
        }
    }

    private static bool IsDecoding(Sequence sequence) => sequence.Generated > 0 && sequence.ComputedTokens == sequence.Length - 1;

    private void AddRows(Sequence sequence, bool decoding)
    {
        _current = sequence;
        // A prompt served entirely from cache still runs its last token (without rewriting its KV) for logits.
        var start = Math.Min(sequence.ComputedTokens, sequence.Length - 1);
        var end = Math.Min(sequence.Length, start + _batch.RemainingRows);
        if (!EnsureBlocks(sequence, end))
        {
            _current = null;
            return;
        }
        for (var position = start; position < end; position++)
        {
            _batch.AddRow(sequence.Tokens[position], position, position >= sequence.ComputedTokens, sequence.BlockTable, decoding);
        }
        var sampleIndex = -1;
        if (end == sequence.Length)
        {
            sampleIndex = _batch.SampleCount;
            _batch.SampleLastRow(sequence.Sampling);
        }
        _stepSequences.Add((sequence, end, sampleIndex));
        _current = null;
    }

    /// <summary>Gives the sequence blocks for its first <paramref name="tokens"/> positions, preempting others if it must.</summary>
    private bool EnsureBlocks(Sequence sequence, int tokens)
    {
        while (sequence.BlockCount * sequence.BlockSize < tokens)
        {
            if (_blocks.TryAllocate(out var block))
            {
                sequence.BlockTable[sequence.BlockCount++] = block;
                continue;
            }
            var victim = _running.LastOrDefault(s => s != sequence && !_stepSequences.Exists(entry => entry.Sequence == s));
            if (victim is null)
            {
                return false;
            }
            Preempt(victim);
        }
        return true;
    }

    private void Preempt(Sequence sequence)
    {
        _running.Remove(sequence);
        ReleaseBlocks(sequence);
        sequence.ComputedTokens = 0;
        sequence.Preemptions++;
        _statistics.Preemptions++;
        _metrics.Preempted();
        _waiting.AddFirst(sequence);
    }

    private void ApplyResults()
    {
        var now = _time.GetTimestamp();
        foreach (var (sequence, end, sampleIndex) in _stepSequences)
        {
            _current = sequence;
            sequence.ComputedTokens = Math.Max(sequence.ComputedTokens, end);
            RegisterFullBlocks(sequence);
            if (sampleIndex < 0)
            {
                continue;
            }
            var token = _sampled[sampleIndex];
            if (sequence.Generated == 0 && sequence.FirstTokenAt == 0)
            {
                sequence.FirstTokenAt = now;
                _metrics.FirstToken(_time.GetElapsedTime(sequence.EnqueuedAt, now).TotalSeconds);
            }
            if (MeshTokenizer.IsEndOfSequence(token))
            {
                Finish(sequence, FinishReasons.Stop);
                continue;
            }
            sequence.Append(token);
            if (sequence.Generated >= sequence.MaxNewTokens || sequence.Length >= _contextWindow)
            {
                Finish(sequence, FinishReasons.Length);
            }
        }
        _current = null;
        _stepSequences.Clear();
    }

    private void RegisterFullBlocks(Sequence sequence)
    {
        while (sequence.RegisteredBlocks < sequence.HashedBlocks
            && (sequence.RegisteredBlocks + 1) * sequence.BlockSize <= sequence.ComputedTokens)
        {
            var b = sequence.RegisteredBlocks++;
            _blocks.Register(sequence.BlockTable[b], sequence.BlockHashes[b]);
        }
    }

    private void Finish(Sequence sequence, string reason, Exception? error = null)
    {
        if (!_running.Remove(sequence))
        {
            _waiting.Remove(sequence);
        }
        // Waiting sequences hold no blocks; one that failed during admission may hold some already.
        ReleaseBlocks(sequence);
        if (!sequence.IsFinished)
        {
            Interlocked.Decrement(ref _queued);
            _metrics.Generated(sequence.Generated);
            _metrics.Finished(reason);
        }
        sequence.Finish(reason, error);
    }

    private void ReleaseBlocks(Sequence sequence)
    {
        // Last to first: the prompt's tail becomes older than its head, and is evicted before it.
        for (var b = sequence.BlockCount - 1; b >= 0; b--)
        {
            _blocks.Release(sequence.BlockTable[b]);
        }
        sequence.BlockCount = 0;
        sequence.RegisteredBlocks = 0;
    }

    private void Publish()
    {
        _statistics.Running = _running.Count;
        _statistics.Waiting = Math.Max(0, Volatile.Read(ref _queued) - _running.Count);
        _statistics.KvBlocksUsed = _blocks.UsedBlocks;
        _statistics.KvBlocksCached = _blocks.CachedBlocks;
        _statistics.KvEvictions = _blocks.Evictions;
    }

    private static int BlocksFor(int tokens, int blockSize) => (tokens + blockSize - 1) / blockSize;

    public void Stop()
    {
        _stopping.Cancel();
        _wake.Set();
        _thread?.Join(TimeSpan.FromSeconds(5));
    }

    public void Dispose()
    {
        Stop();
        _wake.Dispose();
        _stopping.Dispose();
    }
}
