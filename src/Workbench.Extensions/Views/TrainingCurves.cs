using System.Globalization;
using System.Text;
using Workbench.Extensions.Plotly;
using Workbench.Training;

namespace Workbench.Extensions;

/// <summary>
/// Live training curves: loss (log scale) and learning rate against the step, drawn in stacked panels that update in
/// place while training runs (<see cref="LiveView.Show"/>). It is an <see cref="IProgress{T}"/> of
/// <see cref="TrainStep"/>, so it plugs into <c>VaeTraining.Train(options, progress: curves.Show())</c>; any other
/// series goes through <see cref="Add(string, double, double, string)"/>.
/// </summary>
public sealed class TrainingCurves : LiveView, IProgress<TrainStep>
{
    public const string LossPanel = "loss";
    public const string LearningRatePanel = "learning rate";

    private readonly List<(string Name, string Panel, List<(double X, double Y)> Points)> _series = [];
    private TrainStep? _last;

    public TrainingCurves(string? title = null) => Title = title;

    public string? Title { get; }
    /// <summary>Points drawn per series (evenly thinned beyond this; every point is kept).</summary>
    public int MaxPointsPerSeries { get; init; } = 2000;
    public bool LogLoss { get; init; } = true;

    public IReadOnlyList<string> Series
    {
        get { lock (Gate) return _series.Select(s => s.Name).ToList(); }
    }

    public IReadOnlyList<(double X, double Y)> Points(string series)
    {
        lock (Gate) return _series.FirstOrDefault(s => s.Name == series).Points?.ToList() ?? [];
    }

    /// <summary>Adds point (x, y) to <paramref name="series"/>, drawn in <paramref name="panel"/> (panels stack in order of first use).</summary>
    public void Add(string series, double x, double y, string panel = LossPanel)
    {
        lock (Gate) Find(series, panel).Add((x, y));
        Changed();
    }

    /// <summary>Adds a training report: loss, the VAE's reconstruction and KL terms, and the learning rate.</summary>
    public void Add(TrainStep step)
    {
        lock (Gate)
        {
            Find("loss", LossPanel).Add((step.Step, step.Loss));
            Find("reconstruction", LossPanel).Add((step.Step, step.Reconstruction));
            Find("kl", LossPanel).Add((step.Step, step.Kl));
            Find("lr", LearningRatePanel).Add((step.Step, step.LearningRate));
            _last = step;
        }
        Changed(force: step.Progress >= 1);
    }

    void IProgress<TrainStep>.Report(TrainStep value) => Add(value);

    private List<(double X, double Y)> Find(string series, string panel)
    {
        foreach (var s in _series) if (s.Name == series) return s.Points;
        var points = new List<(double X, double Y)>();
        _series.Add((series, panel, points));
        return points;
    }

    public Figure ToFigure()
    {
        lock (Gate)
        {
            var panels = _series.Select(s => s.Panel).Distinct().ToList();
            if (panels.Count == 0) panels.Add(LossPanel);
            var cells = new List<Figure?>();
            foreach (var panel in panels)
            {
                var traces = _series.Where(s => s.Panel == panel).Select(s =>
                {
                    var pts = Thin(s.Points);
                    return new Trace("scatter")
                    {
                        Name = s.Name, Mode = "lines", X = pts.Select(p => p.X).ToArray(), Y = pts.Select(p => p.Y).ToArray(), LegendGroup = panel,
                    };
                });
                var cell = new Figure(traces);
                var y = cell.Layout.YAxisOrNew();
                y.Title = new Title(panel);
                if (panel == LossPanel && LogLoss) y.Type = "log";
                if (panel == LearningRatePanel) y.Set("exponentformat", "e");
                var x = cell.Layout.XAxisOrNew();
                if (panel == panels[^1]) x.Title = new Title("step");
                cells.Add(cell);
            }
            var figure = Chart.Grid(panels.Count, 1, cells, verticalGap: 0.06);
            // Panels after the first follow the first one's x range (zoom one, zoom all).
            for (int n = 2; n <= panels.Count; n++) figure.Layout.XAxis(n)!.Matches = "x";
            figure.WithTitle(Title ?? "training").WithMargin(60, 20, 50, 40);
            figure.Layout.Height = 120 + 220 * panels.Count;
            figure.Layout.HoverMode = "x unified";
            return figure;
        }
    }

    /// <summary>Shows this view on <paramref name="display"/> (<see cref="LiveDisplay.Current"/> when null); returns it.</summary>
    public new TrainingCurves Show(ILiveDisplay? display = null)
    {
        base.Show(display);
        return this;
    }

    public override string ToHtml(HtmlOptions options)
    {
        var figure = ToFigure();
        var sb = new StringBuilder(Html.Style);
        sb.Append("<div class=\"wb-view wb-training\">");
        lock (Gate)
        {
            if (_last is { } s)
                sb.Append("<div class=\"wb-status\">").Append(Html.Encode(string.Create(CultureInfo.InvariantCulture,
                    $"step {s.Step} · loss {s.Loss:G4} · lr {s.LearningRate:G3} · grad norm {s.GradNorm:G3} · {s.ClipsPerSecond:0.0} clips/s · {s.Elapsed:0}s · {100 * s.Progress:0}% done"))).Append("</div>");
        }
        sb.Append(figure.ToHtml(options)).Append("</div>");
        return sb.ToString();
    }

    private List<(double X, double Y)> Thin(List<(double X, double Y)> points)
    {
        if (points.Count <= MaxPointsPerSeries) return points;
        var thinned = new List<(double X, double Y)>(MaxPointsPerSeries + 1);
        double stride = (double)points.Count / MaxPointsPerSeries;
        for (int i = 0; i < MaxPointsPerSeries; i++) thinned.Add(points[(int)(i * stride)]);
        if (thinned[^1] != points[^1]) thinned.Add(points[^1]);
        return thinned;
    }
}
