using System.Diagnostics;

namespace Workbench.Extensions;

/// <summary>
/// A view whose data grows while work runs (training curves, a progress bar). <see cref="Show"/> puts it on a live
/// display; every change then re-renders it there, at most once per <see cref="UpdateInterval"/> (and always on
/// <see cref="Flush"/>), so a fast loop does not flood the front-end. Without <see cref="Show"/>, or with
/// <see cref="NoKernelDisplay"/>, it only keeps its data and <c>ToHtml()</c> renders the current state. Thread-safe:
/// work may report from another thread than the one that renders.
/// </summary>
public abstract class LiveView : HtmlView
{
    private readonly Lock _gate = new();
    private ILiveDisplayHandle? _handle;
    private long _lastUpdate = long.MinValue;
    private bool _pending;

    /// <summary>Shortest time between two display updates (250 ms unless set; zero updates on every change).</summary>
    public TimeSpan UpdateInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Guards the view's data; subclasses lock it while they change or read it.</summary>
    protected Lock Gate => _gate;

    /// <summary>Shows the view on <paramref name="display"/> (<see cref="LiveDisplay.Current"/> when null); returns this view.</summary>
    public LiveView Show(ILiveDisplay? display = null)
    {
        var handle = (display ?? LiveDisplay.Current).Show(this);
        lock (_gate)
        {
            _handle = handle;
            _lastUpdate = Stopwatch.GetTimestamp();
            _pending = false;
        }
        return this;
    }

    /// <summary>Pushes the current state to the display now (call it when the work ends).</summary>
    public void Flush() => Changed(force: true);

    /// <summary>Subclasses call this after changing their data (outside their lock).</summary>
    protected void Changed(bool force = false)
    {
        ILiveDisplayHandle? handle;
        lock (_gate)
        {
            _pending = true;
            handle = _handle;
            if (handle is null) return;
            long now = Stopwatch.GetTimestamp();
            if (!force && _lastUpdate != long.MinValue && Stopwatch.GetElapsedTime(_lastUpdate, now) < UpdateInterval) return;
            _lastUpdate = now;
            _pending = false;
        }
        handle.Update(this);
    }

    /// <summary>True when the data changed since the display last showed it.</summary>
    public bool HasPendingChanges
    {
        get { lock (_gate) return _pending; }
    }
}
