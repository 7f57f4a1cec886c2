using Workbench.Data;

namespace Workbench.Extensions.Plotly;

/// <summary>
/// Figure builders in the spirit of Plotly.NET's <c>Chart.Line</c>, <c>Chart.Heatmap</c>, <c>Chart.Grid</c>: each
/// returns a <see cref="Figure"/> with one trace and a sensible layout; combine them with <see cref="Combine"/>
/// (overlay) or <see cref="Grid"/> (subplots), and animate a sequence of them with <see cref="Animate"/> (plotly.js
/// frames with a slider and play/pause, which Plotly.NET lacks).
/// </summary>
public static class Chart
{
    public static Figure Line(IEnumerable<double> x, IEnumerable<double> y, string? name = null, bool markers = false) =>
        new([new Trace("scatter") { X = x.ToArray(), Y = y.ToArray(), Name = name, Mode = markers ? "lines+markers" : "lines" }]);

    /// <summary>A line over x = 0, 1, 2, ...</summary>
    public static Figure Line(IEnumerable<double> y, string? name = null)
    {
        var ys = y.ToArray();
        return Line(Enumerable.Range(0, ys.Length).Select(i => (double)i), ys, name);
    }

    public static Figure Scatter(IEnumerable<double> x, IEnumerable<double> y, string? name = null, string mode = "markers") =>
        new([new Trace("scatter") { X = x.ToArray(), Y = y.ToArray(), Name = name, Mode = mode }]);

    public static Figure Bar(IEnumerable<string> categories, IEnumerable<double> values, string? name = null) =>
        new([new Trace("bar") { X = categories.ToArray(), Y = values.ToArray(), Name = name }]);

    /// <summary>
    /// A heatmap of <paramref name="z"/> (rows × columns), row 0 at the top as in a matrix or image, square cells.
    /// </summary>
    public static Figure Heatmap(float[][] z, string colorscale = "Viridis", double? zmin = null, double? zmax = null, string? name = null)
    {
        var figure = new Figure([new Trace("heatmap") { Z = z, Colorscale = colorscale, ZMin = zmin, ZMax = zmax, Name = name }]);
        figure.Layout.SetXAxis(1, new Axis { ShowGrid = false, ZeroLine = false, Constrain = "domain" });
        figure.Layout.SetYAxis(1, new Axis { ShowGrid = false, ZeroLine = false, AutoRange = "reversed", ScaleAnchor = "x", Constrain = "domain" });
        return figure;
    }

    /// <summary>A heatmap of a row-major <paramref name="rows"/> × <paramref name="columns"/> array.</summary>
    public static Figure Heatmap(ReadOnlySpan<float> values, int rows, int columns, string colorscale = "Viridis", double? zmin = null, double? zmax = null) =>
        Heatmap(Rows(values, rows, columns), colorscale, zmin, zmax);

    public static Figure Heatmap(double[,] z, string colorscale = "Viridis", double? zmin = null, double? zmax = null)
    {
        int rows = z.GetLength(0), columns = z.GetLength(1);
        var jagged = new float[rows][];
        for (int r = 0; r < rows; r++)
        {
            jagged[r] = new float[columns];
            for (int c = 0; c < columns; c++) jagged[r][c] = (float)z[r, c];
        }
        return Heatmap(jagged, colorscale, zmin, zmax);
    }

    /// <summary>An RGB or grey picture (a plotly.js image trace with a PNG data URI): square pixels, no ticks.</summary>
    public static Figure Image(Image image, string? name = null)
    {
        var figure = new Figure([ImageTrace(image, name)]);
        figure.Layout.SetXAxis(1, new Axis { ShowGrid = false, ZeroLine = false, ShowTickLabels = false, Ticks = "" });
        figure.Layout.SetYAxis(1, new Axis { ShowGrid = false, ZeroLine = false, ShowTickLabels = false, Ticks = "", ScaleAnchor = "x", AutoRange = "reversed" });
        return figure;
    }

    /// <summary>The image trace of <see cref="Image(Data.Image, string?)"/> alone (for animation frames).</summary>
    public static Trace ImageTrace(Image image, string? name = null) =>
        new("image") { Source = Html.PngDataUri(image), Name = name, HoverInfo = "x+y" };

    public static Figure Surface(float[][] z, string colorscale = "Viridis", string? name = null) =>
        new([new Trace("surface") { Z = z, Colorscale = colorscale, Name = name }]);

    public static Figure Scatter3d(IEnumerable<double> x, IEnumerable<double> y, IEnumerable<double> z, string mode = "markers", string? name = null) =>
        new([new Trace("scatter3d") { X = x.ToArray(), Y = y.ToArray(), Z = z.ToArray(), Mode = mode, Name = name }]);

    /// <summary>The traces of all figures on the first figure's axes and layout (Plotly.NET's Chart.combine).</summary>
    public static Figure Combine(params IEnumerable<Figure> figures)
    {
        var list = figures.ToList();
        if (list.Count == 0) throw new ArgumentException("Combine needs at least one figure", nameof(figures));
        var result = list[0].Copy();
        foreach (var f in list.Skip(1)) result.Data.AddRange(f.Data.Select(t => t.Copy()));
        return result;
    }

    /// <summary>
    /// Subplots (Plotly.NET's Chart.Grid, plotly.py's make_subplots): cell k of <paramref name="cells"/> goes to row
    /// k / columns, column k % columns; null cells stay empty. Each 2D cell gets its own axis pair (xaxis{k+1},
    /// yaxis{k+1}) with the cell figure's axis settings, each 3D cell its own scene; titles are annotations above the
    /// cells. Shapes of a cell move with it; colour bars sit beside their cell. The figure is 100 + 260 px per row high
    /// and shows a legend when more than one trace has a name (set both afterwards to change them).
    /// </summary>
    public static Figure Grid(int rows, int columns, IReadOnlyList<Figure?> cells, IReadOnlyList<string>? titles = null,
        double horizontalGap = 0.03, double verticalGap = 0.08)
    {
        if (rows <= 0 || columns <= 0) throw new ArgumentOutOfRangeException(nameof(rows), $"a grid needs rows and columns > 0, got {rows}×{columns}");
        if (cells.Count > rows * columns) throw new ArgumentException($"{cells.Count} cells do not fit a {rows}×{columns} grid", nameof(cells));
        var figure = new Figure();
        int scenes = 0;
        for (int k = 0; k < cells.Count; k++)
        {
            var (dx, dy) = CellDomain(rows, columns, k / columns, k % columns, horizontalGap, verticalGap);
            if (titles is not null && k < titles.Count && !string.IsNullOrEmpty(titles[k]))
                figure.Layout.AddAnnotation(new Annotation
                {
                    Text = titles[k], X = (dx[0] + dx[1]) / 2, Y = dy[1], XRef = "paper", YRef = "paper",
                    XAnchor = "center", YAnchor = "bottom", ShowArrow = false, Font = new Font { Size = 12 },
                });
            if (cells[k] is not { } cell) continue;
            if (cell.Data.Any(t => t.Is3d))
            {
                scenes++;
                var scene = (cell.Layout.Scene(1) ?? new Scene()) with { Domain = new Domain(dx, dy) };
                figure.Layout.SetScene(scenes, scene);
                foreach (var trace in cell.Data)
                {
                    var placed = trace.Copy() with { Scene = Layout.SceneKey(scenes) };
                    if (placed.Type is "surface" && placed.ShowScale != false && placed.ColorBar is null)
                        placed.ColorBar = new ColorBar { X = dx[1] + 0.005, XAnchor = "left", Y = (dy[0] + dy[1]) / 2, Len = dy[1] - dy[0], Thickness = 10 };
                    figure.Data.Add(placed);
                }
                continue;
            }
            int n = k + 1;
            string xr = Layout.AxisRef('x', n), yr = Layout.AxisRef('y', n);
            string Remap(string? r) => r switch { "x" => xr, "y" => yr, _ => r! };
            var x = (cell.Layout.XAxis(1) ?? new Axis()).Copy();
            var y = (cell.Layout.YAxis(1) ?? new Axis()).Copy();
            x.Domain = dx; x.Anchor = yr;
            y.Domain = dy; y.Anchor = xr;
            if (x.ScaleAnchor is not null) x.ScaleAnchor = Remap(x.ScaleAnchor);
            if (y.ScaleAnchor is not null) y.ScaleAnchor = Remap(y.ScaleAnchor);
            if (x.Matches is not null) x.Matches = Remap(x.Matches);
            if (y.Matches is not null) y.Matches = Remap(y.Matches);
            figure.Layout.SetXAxis(n, x);
            figure.Layout.SetYAxis(n, y);
            foreach (var trace in cell.Data)
            {
                var placed = trace.Copy() with { XAxis = xr, YAxis = yr };
                // A colour bar sits beside its own cell (plotly puts them all at the right edge, on top of each other).
                if (placed.Type is "heatmap" or "contour" && placed.ShowScale != false && placed.ColorBar is null)
                    placed.ColorBar = new ColorBar { X = dx[1] + 0.005, XAnchor = "left", Y = (dy[0] + dy[1]) / 2, Len = dy[1] - dy[0], Thickness = 10 };
                figure.Data.Add(placed);
            }
            foreach (var s in cell.Layout.Shapes ?? [])
                figure.Layout.AddShape(s with { XRef = s.XRef is null ? xr : Remap(s.XRef), YRef = s.YRef is null ? yr : Remap(s.YRef) });
        }
        // A legend only helps when several named traces share the grid; a figure of many cells gets room for them.
        figure.Layout.ShowLegend = figure.Data.Count(t => t.Name is not null) > 1;
        figure.Layout.Height = 100 + rows * 260;
        return figure;
    }

    /// <summary>Paper-fraction domains [from, to] of cell (row, column), row 0 at the top.</summary>
    public static (double[] X, double[] Y) CellDomain(int rows, int columns, int row, int column, double horizontalGap = 0.03, double verticalGap = 0.08)
    {
        double w = (1 - horizontalGap * (columns - 1)) / columns, h = (1 - verticalGap * (rows - 1)) / rows;
        double x0 = column * (w + horizontalGap), y1 = 1 - row * (h + verticalGap);
        return ([Round(x0), Round(x0 + w)], [Round(y1 - h), Round(y1)]);
    }

    /// <summary>
    /// An animation: the figure shows the first frame's traces; frame i (named <c>frames[i].Name</c>) replaces them with
    /// its figure's traces (same count and order) and title. A slider scrubs through the frames and Play/Pause buttons
    /// run them at <paramref name="frameMilliseconds"/> each, through <c>Plotly.animate</c>.
    /// </summary>
    public static Figure Animate(IReadOnlyList<(string Name, Figure Frame)> frames, int frameMilliseconds = 300, string? sliderPrefix = null, bool redraw = true)
    {
        if (frames.Count == 0) throw new ArgumentException("an animation needs at least one frame", nameof(frames));
        int traces = frames[0].Frame.Data.Count;
        if (frames.FirstOrDefault(f => f.Frame.Data.Count != traces) is { Frame: not null } odd)
            throw new ArgumentException($"every frame needs the same traces: frame {frames[0].Name} has {traces}, frame {odd.Name} has {odd.Frame.Data.Count}", nameof(frames));
        var figure = frames[0].Frame.Copy();
        var all = Enumerable.Range(0, traces).ToArray();
        figure.Frames = frames.Select(f => new Frame
        {
            Name = f.Name,
            Data = f.Frame.Data.Select(t => t.Copy()).ToList(),
            Traces = all,
            Layout = f.Frame.Layout.Title is { } title ? new Layout { Title = title } : null,
        }).ToList();
        figure.Layout.Sliders =
        [
            new Slider
            {
                Active = 0, X = 0.12, Len = 0.88, XAnchor = "left", Y = 0, YAnchor = "top",
                Pad = new() { ["t"] = 55 },
                CurrentValue = new() { ["prefix"] = sliderPrefix ?? "", ["visible"] = true },
                Steps = frames.Select(f => new SliderStep { Label = f.Name, Method = "animate", Args = [new[] { f.Name }, AnimationOptions(0, redraw)] }).ToList(),
            },
        ];
        figure.Layout.UpdateMenus =
        [
            new UpdateMenu
            {
                Type = "buttons", Direction = "left", ShowActive = false, X = 0.1, Y = 0, XAnchor = "right", YAnchor = "top",
                Pad = new() { ["t"] = 55, ["r"] = 10 },
                Buttons =
                [
                    new MenuButton { Label = "▶ Play", Method = "animate", Args = [null, AnimationOptions(frameMilliseconds, redraw, fromCurrent: true)] },
                    new MenuButton { Label = "❚❚ Pause", Method = "animate", Args = [new object?[] { null }, AnimationOptions(0, redraw: false)] },
                ],
            },
        ];
        return figure;
    }

    private static Dictionary<string, object?> AnimationOptions(int milliseconds, bool redraw, bool fromCurrent = false)
    {
        var options = new Dictionary<string, object?>
        {
            ["mode"] = "immediate",
            ["frame"] = new Dictionary<string, object?> { ["duration"] = milliseconds, ["redraw"] = redraw },
            ["transition"] = new Dictionary<string, object?> { ["duration"] = 0 },
        };
        if (fromCurrent) options["fromcurrent"] = true;
        return options;
    }

    internal static float[][] Rows(ReadOnlySpan<float> values, int rows, int columns)
    {
        if (values.Length != rows * columns)
            throw new ArgumentException($"{values.Length} values do not make a {rows}×{columns} grid", nameof(values));
        var z = new float[rows][];
        for (int r = 0; r < rows; r++) z[r] = values.Slice(r * columns, columns).ToArray();
        return z;
    }

    private static double Round(double v) => Math.Round(v, 6);
}
