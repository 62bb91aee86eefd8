using System.Diagnostics;

namespace Mesh.Aspire.Hosting.Redis;

/// <summary>
/// Whether a container runtime answers on this machine, asked the way Aspire asks (<c>&lt;runtime&gt; container ls -n 1</c>)
/// with a bound on the wait, so a machine without one learns it in seconds rather than at Aspire's 30 s timeout.
/// </summary>
public static class ContainerRuntimeProbe
{
    public static async Task<(bool Healthy, string Detail)> CheckAsync(string runtime, TimeSpan timeout)
    {
        if (FindOnPath(runtime) is not { } path)
        {
            return (false, $"{runtime} is not installed");
        }
        using var process = new Process
        {
            StartInfo = new ProcessStartInfo(path, ["container", "ls", "-n", "1"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        process.Start();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            var error = process.StandardError.ReadToEndAsync(deadline.Token);
            await process.WaitForExitAsync(deadline.Token);
            return process.ExitCode == 0 ? (true, $"{runtime} answers") : (false, $"{runtime} is unhealthy: {FirstLine(await error)}");
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (false, $"{runtime} did not answer within {timeout.TotalSeconds:F0} s");
        }
    }

    internal static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no output";
}
