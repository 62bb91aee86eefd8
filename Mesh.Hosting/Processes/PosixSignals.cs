using System.Runtime.InteropServices;

namespace Mesh.Hosting.Processes;

/// <summary>Sends POSIX signals; .NET's Process API only kills (SIGKILL), and a graceful stop needs SIGTERM.</summary>
internal static partial class PosixSignals
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    public static bool Send(int processId, int signal) =>
        !OperatingSystem.IsWindows() && Kill(processId, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int sig);
}
