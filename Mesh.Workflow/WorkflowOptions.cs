using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Mesh.Workflow;

/// <summary>The workflow's settings, from the <c>Workflow:</c> section.</summary>
public sealed class WorkflowOptions
{
    public const string Section = "Workflow";

    /// <summary>The model to ask for; empty: the first model the coordinator's own engines serve.</summary>
    public string? Model { get; set; }

    /// <summary>Sub-questions answered in parallel, each from the shared research brief.</summary>
    [Range(1, 16)]
    public int SubQuestions { get; set; } = 3;

    /// <summary>
    /// Record prompts and completions in the telemetry (Semantic Kernel's sensitive diagnostics, and the messages on the
    /// workflow's spans). Off by default: they may hold what users typed.
    /// </summary>
    public bool CaptureMessages { get; set; }
}

[OptionsValidator]
public sealed partial class WorkflowOptionsValidator : IValidateOptions<WorkflowOptions>;
