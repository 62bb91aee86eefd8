using System.Diagnostics;

namespace Mesh.Workflow;

/// <summary>The workflow's spans: <c>workflow.run</c> for a run, <c>workflow.step</c> for each step, on the <c>Mesh.Workflow</c> source.</summary>
public static class WorkflowTelemetry
{
    public const string SourceName = "Mesh.Workflow";
    public const string RunSpan = "workflow.run";
    public const string StepSpan = "workflow.step";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Semantic Kernel's GenAI diagnostics; messages only when the workflow is told to capture them.</summary>
    public static void EnableSemanticKernelDiagnostics(bool captureMessages)
    {
        AppContext.SetSwitch("Microsoft.SemanticKernel.Experimental.GenAI.EnableOTelDiagnostics", true);
        AppContext.SetSwitch("Microsoft.SemanticKernel.Experimental.GenAI.EnableOTelDiagnosticsSensitive", captureMessages);
    }
}
