namespace Mesh.Hosting.ApplicationModel;

/// <summary>Whether a replica that exits on its own is started again, and how long to wait before each try (doubling up to a cap).</summary>
public sealed record RestartPolicy(bool Enabled, TimeSpan InitialDelay, TimeSpan MaxDelay, int MaxRestarts)
{
    public static readonly RestartPolicy Never = new(false, TimeSpan.Zero, TimeSpan.Zero, 0);

    public static readonly RestartPolicy WithBackoff = new(true, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10), int.MaxValue);

    public TimeSpan DelayBefore(int restart) =>
        TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, InitialDelay.Ticks * (1L << Math.Min(20, Math.Max(0, restart - 1)))));
}
