namespace Mesh.Tests.Infrastructure;

/// <summary>
/// Free loopback ports for Aspire's dashboard (its UI, its OTLP receiver, the AppHost's resource service), as the
/// AppHost's launch profile would set them, so a test's dashboard never collides with another app's.
/// </summary>
public static class DashboardPorts
{
    public static string[] Arguments()
    {
        var (ui, otlp, resources) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
        return
        [
            $"--ASPNETCORE_URLS=http://localhost:{ui}",
            $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:{otlp}",
            $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:{resources}",
            "--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
        ];
    }


}
