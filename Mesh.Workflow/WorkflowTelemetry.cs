using System.Diagnostics;
using Mesh.Contracts.Telemetry;

namespace Mesh.Workflow;

/// <summary>The workflow's spans: <c>workflow.run</c> for a run, <c>workflow.step</c> for each step, on the <c>Mesh.Workflow</c> source.</summary>
public static class WorkflowTelemetry
{
    public static readonly ActivitySource Source = new(TraceAttributes.WorkflowSource);

    /// <summary>Semantic Kernel's GenAI diagnostics; messages only when the workflow is told to capture them.</summary>
    public static void EnableSemanticKernelDiagnostics(bool captureMessages)
    {
        AppContext.SetSwitch("Microsoft.SemanticKernel.Experimental.GenAI.EnableOTelDiagnostics", true);
        AppContext.SetSwitch("Microsoft.SemanticKernel.Experimental.GenAI.EnableOTelDiagnosticsSensitive", captureMessages);
    }
}
