using System.Diagnostics;

namespace Mesh.Hosting.Processes;

/// <summary>
/// A child process with its console captured line by line. Stopping is graceful first (SIGTERM, so services
/// deregister and flush), then forced (the whole process tree is killed), so nothing it started outlives it.
/// </summary>
public sealed class ManagedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ManagedProcess(Process process, LogBuffer logs)
    {
        _process = process;
        Logs = logs;
    }

    public int ProcessId { get; private set; }

    public LogBuffer Logs { get; }

    /// <summary>Completes with the exit code when the process ends, for whatever reason.</summary>
    public Task<int> Exited => _exited.Task;

    public bool HasExited => _exited.Task.IsCompleted;

    public static ManagedProcess Start(ProcessSpec spec, LogBuffer logs, TimeProvider time)
    {
        var info = new ProcessStartInfo(spec.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = spec.WorkingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in spec.Arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in spec.Environment)
        {
            info.Environment[name] = value;
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var managed = new ManagedProcess(process, logs);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) logs.Add(e.Data, false, time.GetUtcNow()); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) logs.Add(e.Data, true, time.GetUtcNow()); };
        process.Exited += (_, _) =>
        {
            // Let the output readers drain before announcing the exit.
            process.WaitForExit();
            managed._exited.TrySetResult(process.ExitCode);
        };
        process.Start();
        managed.ProcessId = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>SIGTERM, then SIGKILL of the whole tree if it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (HasExited)
        {
            return;
        }
        if (PosixSignals.Send(ProcessId, PosixSignals.SigTerm))
        {
            if (await Task.WhenAny(Exited, Task.Delay(grace)) == Exited)
            {
                return;
            }
        }
        Kill();
        await Task.WhenAny(Exited, Task.Delay(TimeSpan.FromSeconds(5)));
    }

    /// <summary>SIGKILL for the process and everything it started.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5));
        _process.Dispose();
    }
}
