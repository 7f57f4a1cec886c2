using Workbench.Extensions.Plotly;

namespace Workbench.Extensions;

/// <summary>One run's metric curve: its name and (x, y) points (step or compute, metric value).</summary>
public sealed record RunSeries(string Run, IReadOnlyList<(double X, double Y)> Points);

/// <summary>
/// A metric across runs, one line per run: FVD against training step or against compute, for ablations (attention
/// layouts, model sizes). Takes plain series, so the run store plugs in by mapping its records to <see cref="RunSeries"/>.
/// </summary>
public sealed class RunComparison : HtmlView
{
    public RunComparison(IEnumerable<RunSeries> runs, string xTitle, string yTitle, string? title = null)
    {
        Runs = runs.ToList();
        (XTitle, YTitle, Title) = (xTitle, yTitle, title);
    }

    public IReadOnlyList<RunSeries> Runs { get; }
    public string XTitle { get; }
    public string YTitle { get; }
    public string? Title { get; }
    public bool LogX { get; init; }
    public bool LogY { get; init; }

    /// <summary>FVD against the training step.</summary>
    public static RunComparison FvdVsStep(IEnumerable<RunSeries> runs) =>
        new(runs, "training step", "FVD (lower is better)", "FVD vs training step");

    /// <summary>FVD against training compute (log scale), e.g. in PFLOP or GPU-hours.</summary>
    public static RunComparison FvdVsCompute(IEnumerable<RunSeries> runs, string computeUnit = "PFLOP") =>
        new(runs, $"training compute ({computeUnit})", "FVD (lower is better)", "FVD vs training compute") { LogX = true };

    public Figure ToFigure()
    {
        var figure = new Figure(Runs.Select(r =>
        {
            var points = r.Points.OrderBy(p => p.X).ToList();
            return new Trace("scatter")
            {
                Name = r.Run, Mode = "lines+markers", X = points.Select(p => p.X).ToArray(), Y = points.Select(p => p.Y).ToArray(),
                HoverTemplate = $"{Html.Encode(r.Run)}<br>%{{x:.4g}}: %{{y:.4g}}<extra></extra>",
            };
        }));
        figure.WithTitle(Title ?? $"{YTitle} vs {XTitle}").WithXAxis(XTitle, LogX).WithYAxis(YTitle, LogY).WithLegend(true);
        figure.Layout.Height = 420;
        return figure;
    }

    public override string ToHtml(HtmlOptions options) => ToFigure().ToHtml(options);
}
