using System.Diagnostics;
using System.Text;
using Mesh.Contracts.Routing;
using Mesh.SemanticKernel;
using Microsoft.SemanticKernel;
using ChatTokenUsage = OpenAI.Chat.ChatTokenUsage;
using Mesh.Contracts.Telemetry;

namespace Mesh.Workflow;

/// <summary>
/// MoFA's compute-mesh demo as a Semantic Kernel workflow, each step under one of the tier policies:
/// 1. <b>plan</b> (<c>LocalFirstWithCloudFallback</c>): how to answer the question, from the shared research brief;
/// 2. <b>sub-questions</b> (<c>LocalOnly</c>), in parallel, each from the same brief: prefix-aware routing sends them to
///    the engine that cached the brief for the plan, so each reports cached tokens;
/// 3. <b>synthesis</b> (<c>CloudOnly</c>, or local when the mesh has no cloud tier), streamed.
/// Every step is a prompt function of the kernel, so Semantic Kernel's function and chat spans, the coordinator's seven
/// stages and the engines' spans all join the run's one trace. (The engines' synthetic weights make the text meaningless:
/// the sub-questions are therefore derived from the question, not parsed from the plan.)
/// </summary>
public sealed class ResearchWorkflow(Kernel kernel, string model, WorkflowOptions options)
{
    /// <summary>The long system prompt every planning and research step shares: the prefix the mesh caches.</summary>
    public static readonly string Brief = string.Join(' ', Enumerable.Repeat(
        "You are a careful research assistant working inside an inference mesh. Break questions into parts, answer each part " +
        "with the facts that matter most, say what is uncertain, keep every answer short, and never invent a source. When a " +
        "question asks why, give the mechanism; when it asks how, give the steps in order; when it asks what, give a definition " +
        "and one example.", 6));

    private static readonly string[] SubQuestionForms = ["What is {0}?", "Why does {0} matter?", "How does {0} work?", "What are the limits of {0}?",
        "Who first described {0}?", "How is {0} measured?", "What depends on {0}?", "What is a common mistake about {0}?"];

    public async Task<WorkflowRun> RunAsync(string question, Func<StepResult, ValueTask>? onStep, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var run = WorkflowTelemetry.Source.StartActivity(TraceAttributes.WorkflowRunSpan);
        run?.SetTag("workflow.sub_questions", options.SubQuestions).SetTag(GenAiConventions.RequestModel, model);
        if (options.CaptureMessages)
        {
            run?.SetTag("workflow.question", question);
        }
        var steps = new List<StepResult>();
        async Task Add(StepResult step)
        {
            lock (steps)
            {
                steps.Add(step);
            }
            if (onStep is not null)
            {
                await onStep(step);
            }
        }

        await Add(await StepAsync("plan", TierPolicyNames.LocalFirstWithCloudFallback, Brief,
            $"Plan, in a few steps, how to answer: {question}", maxTokens: 24, stream: false, cancellationToken));
        var topic = question.TrimEnd('?', '.', '!', ' ');
        var research = Enumerable.Range(0, options.SubQuestions).Select(async i => await Add(await StepAsync($"sub-question {i + 1}",
            TierPolicyNames.LocalOnly, Brief, string.Format(System.Globalization.CultureInfo.InvariantCulture, SubQuestionForms[i % SubQuestionForms.Length], topic),
            maxTokens: 16, stream: false, cancellationToken)));
        await Task.WhenAll(research);
        var notes = string.Join("\n", steps.Where(s => s.Step.StartsWith("sub-question", StringComparison.Ordinal)).OrderBy(s => s.Step, StringComparer.Ordinal)
            .Select(s => $"- {s.Text}"));
        await Add(await SynthesizeAsync(question, notes, cancellationToken));

        return new WorkflowRun(question, model, run?.TraceId.ToString(), [.. steps], Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>The synthesis goes to the cloud tier; a mesh without one answers 503 for CloudOnly, and the step runs locally instead.</summary>
    private async Task<StepResult> SynthesizeAsync(string question, string notes, CancellationToken cancellationToken)
    {
        const string system = "You write the final answer from the research notes: plainly, in a few sentences.";
        var user = $"Question: {question}\nNotes:\n{notes}";
        try
        {
            return await StepAsync("synthesis", TierPolicyNames.CloudOnly, system, user, maxTokens: 32, stream: true, cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
        {
            return await StepAsync("synthesis", TierPolicyNames.LocalFirstWithCloudFallback, system, user, maxTokens: 32, stream: true, cancellationToken);
        }
    }

    private async Task<StepResult> StepAsync(string name, string tierPolicy, string system, string user, int maxTokens, bool stream, CancellationToken cancellationToken)
    {
        using var activity = WorkflowTelemetry.Source.StartActivity($"{TraceAttributes.WorkflowStepSpan} {name}");
        activity?.SetTag(TraceAttributes.WorkflowStep, name).SetTag(TraceAttributes.TierPolicy, tierPolicy);
        var settings = new MeshPromptExecutionSettings { MaxTokens = maxTokens, Temperature = 0, TierPolicy = tierPolicy };
        var arguments = new KernelArguments(settings) { ["system"] = system, ["user"] = user };
        const string template = "<message role=\"system\">{{$system}}</message><message role=\"user\">{{$user}}</message>";
        var started = Stopwatch.GetTimestamp();
        var text = new StringBuilder();
        MeshReport? report = null;
        var tokens = 0;
        if (stream)
        {
            await foreach (var chunk in kernel.InvokePromptStreamingAsync<StreamingChatMessageContent>(template, arguments, cancellationToken: cancellationToken))
            {
                report ??= MeshReport.FromMetadata(chunk.Metadata);
                if (!string.IsNullOrEmpty(chunk.Content))
                {
                    text.Append(chunk.Content);
                    tokens++;
                }
                if (chunk.Metadata?.GetValueOrDefault("Usage") is ChatTokenUsage usage)
                {
                    tokens = usage.OutputTokenCount;
                }
            }
        }
        else
        {
            var result = await kernel.InvokePromptAsync(template, arguments, cancellationToken: cancellationToken);
            var message = result.GetValue<ChatMessageContent>()!;
            text.Append(message.Content);
            report = MeshReport.FromMetadata(message.Metadata);
            tokens = (message.Metadata?.GetValueOrDefault("Usage") as ChatTokenUsage)?.OutputTokenCount ?? 0;
        }
        var totalMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var streamingMs = totalMs - (report?.TimeToFirstTokenMs ?? 0);
        var step = new StepResult(name, tierPolicy, report?.Engine, report?.Tier, report?.Reason, report?.CachedTokens ?? 0, report?.TimeToFirstTokenMs,
            tokens, tokens > 1 && streamingMs > 0 ? Math.Round((tokens - 1) * 1000 / streamingMs, 1) : 0, Math.Round(totalMs, 1), text.ToString(), report?.RequestId);
        activity?.SetTag(TraceAttributes.Engine, step.Engine).SetTag(TraceAttributes.Tier, step.Tier).SetTag(TraceAttributes.Reason, step.Reason)
            .SetTag(TraceAttributes.RequestId, step.RequestId).SetTag(GenAiConventions.UsageCacheReadInputTokens, step.CachedTokens)
            .SetTag(GenAiConventions.UsageOutputTokens, step.Tokens);
        return step;
    }
}
