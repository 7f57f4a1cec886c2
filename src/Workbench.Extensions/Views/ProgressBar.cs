using System.Globalization;
using System.Text;

namespace Workbench.Extensions;

/// <summary>
/// A progress bar for long work (data generation, sampling, evaluation) that updates in place once shown
/// (<see cref="LiveView.Show"/>): label, bar, count, percentage, elapsed time and an estimate of what is left, and a
/// message line. <see cref="Track"/> wraps a loop.
/// </summary>
public sealed class ProgressBar : LiveView, IProgress<double>
{
    private readonly TimeProvider _time;
    private readonly long _start;
    private double _value;
    private string? _message;
    private bool _done;

    public ProgressBar(double total, string label = "", TimeProvider? time = null)
    {
        if (!(total > 0)) throw new ArgumentOutOfRangeException(nameof(total), $"total must be > 0, got {total}");
        Total = total;
        Label = label;
        _time = time ?? TimeProvider.System;
        _start = _time.GetTimestamp();
    }

    public double Total { get; }
    public string Label { get; }

    public double Value
    {
        get { lock (Gate) return _value; }
    }

    public string? Message
    {
        get { lock (Gate) return _message; }
        set
        {
            lock (Gate) _message = value;
            Changed();
        }
    }

    public bool IsComplete
    {
        get { lock (Gate) return _done; }
    }

    /// <summary>Sets the amount done (0..Total).</summary>
    public void Report(double value)
    {
        bool finished;
        lock (Gate)
        {
            _value = value;
            finished = value >= Total;
        }
        Changed(force: finished);
    }

    public void Increment(double amount = 1)
    {
        bool finished;
        lock (Gate)
        {
            _value += amount;
            finished = _value >= Total;
        }
        Changed(force: finished);
    }

    /// <summary>Marks the work finished (the bar full) and pushes the final state.</summary>
    public void Complete(string? message = null)
    {
        lock (Gate)
        {
            _value = Math.Max(_value, Total);
            _done = true;
            if (message is not null) _message = message;
        }
        Changed(force: true);
    }

    /// <summary>Yields <paramref name="items"/> while a shown bar counts them (<paramref name="total"/> from the collection when it has a count).</summary>
    public static IEnumerable<T> Track<T>(IEnumerable<T> items, string label = "", int? total = null, ILiveDisplay? display = null)
    {
        int count = total ?? (items.TryGetNonEnumeratedCount(out var n) ? n : throw new ArgumentException("give the total: the items have no count", nameof(total)));
        var bar = new ProgressBar(Math.Max(count, 1), label);
        bar.Show(display);
        foreach (var item in items)
        {
            yield return item;
            bar.Increment();
        }
        bar.Complete();
    }

    /// <summary>Shows this view on <paramref name="display"/> (<see cref="LiveDisplay.Current"/> when null); returns it.</summary>
    public new ProgressBar Show(ILiveDisplay? display = null)
    {
        base.Show(display);
        return this;
    }

    public override string ToHtml(HtmlOptions options)
    {
        double value, total = Total;
        string? message;
        bool done;
        lock (Gate) (value, message, done) = (_value, _message, _done);
        double fraction = Math.Clamp(value / total, 0, 1);
        var elapsed = _time.GetElapsedTime(_start);
        var text = new StringBuilder();
        text.Append(Format(value)).Append(" / ").Append(Format(total)).Append(" (").Append((100 * fraction).ToString("0.0", CultureInfo.InvariantCulture))
            .Append("%) · ").Append(Clock(elapsed));
        if (done || fraction >= 1) text.Append(" · done");
        else if (fraction > 0) text.Append(" · ").Append(Clock(elapsed * ((1 - fraction) / fraction))).Append(" left");
        var sb = new StringBuilder();
        sb.Append("<div class=\"wb-view wb-progress\" data-fraction=\"").Append(Html.Num(Math.Round(fraction, 4)))
          .Append("\" style=\"font-family:system-ui,sans-serif;font-size:13px;margin:4px 0\"><div style=\"display:flex;gap:8px;align-items:center\">");
        if (Label.Length > 0) sb.Append("<span>").Append(Html.Encode(Label)).Append("</span>");
        sb.Append("<div style=\"flex:0 1 420px;min-width:120px;height:14px;background:#e8e8e8;border-radius:7px;overflow:hidden\">")
          .Append("<div style=\"width:").Append((100 * fraction).ToString("0.##", CultureInfo.InvariantCulture)).Append("%;height:100%;background:")
          .Append(done || fraction >= 1 ? "#3aa757" : "#4c8bf5").Append("\"></div></div><span style=\"color:#444\">")
          .Append(Html.Encode(text.ToString())).Append("</span></div>");
        if (!string.IsNullOrEmpty(message)) sb.Append("<div style=\"color:#666\">").Append(Html.Encode(message)).Append("</div>");
        sb.Append("</div>");
        return sb.ToString();
    }

    private static string Format(double v) => v.ToString(v == Math.Floor(v) ? "0" : "0.##", CultureInfo.InvariantCulture);

    private static string Clock(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}" : $"{t.Minutes}:{t.Seconds:00}";
}
