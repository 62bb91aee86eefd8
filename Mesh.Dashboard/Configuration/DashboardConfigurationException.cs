namespace Mesh.Dashboard.Configuration;

/// <summary>Settings the dashboard cannot start with; its message says what to set, and the process exits with it.</summary>
internal sealed class DashboardConfigurationException(IEnumerable<string> failures)
    : Exception("Mesh.Dashboard cannot start:" + Environment.NewLine + string.Join(Environment.NewLine, failures.Select(failure => "  - " + failure)));
