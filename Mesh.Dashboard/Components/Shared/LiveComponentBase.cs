using Mesh.Dashboard.Storage;
using Microsoft.AspNetCore.Components;

namespace Mesh.Dashboard.Components.Shared;

/// <summary>
/// A page that follows the store live: once interactive, it checks every second whether the store changed (or, for
/// pages fed from elsewhere, always) and recomputes its view. A person can pause it to read.
/// </summary>
public abstract class LiveComponentBase : ComponentBase, IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly CancellationTokenSource _stopping = new();
    private long _seenVersion = -1;
    private Task? _loop;

    [Inject]
    internal TelemetryStore Store { get; set; } = default!;

    [Inject]
    internal TimeProvider Time { get; set; } = default!;

    protected bool Paused { get; private set; }

    /// <summary>Refresh on every tick, not only when the store changed (data from the resource service, relative times).</summary>
    protected virtual bool RefreshEveryTick => false;

    /// <summary>Recomputes what the page shows. Runs on the renderer's context.</summary>
    protected abstract void Refresh();

    protected void TogglePause()
    {
        Paused = !Paused;
        if (!Paused)
        {
            RefreshNow();
        }
    }

    protected void RefreshNow()
    {
        _seenVersion = Store.Version;
        Refresh();
    }

    protected override void OnParametersSet() => RefreshNow();

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            _loop = FollowAsync(_stopping.Token);
        }
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (Paused || (!RefreshEveryTick && Store.Version == _seenVersion))
                {
                    continue;
                }
                await InvokeAsync(() =>
                {
                    // The page may have been left while this waited for the renderer.
                    if (cancellationToken.IsCancellationRequested)
                    {
                        return;
                    }
                    RefreshNow();
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
            // The page was left.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
