using Workbench.Extensions.Plotly;
using Workbench.Torch;

namespace Workbench.Extensions;

/// <summary>
/// The latent "loaf" in 3D: every latent position (t, h, w) a cube coloured by its value (one channel, or the norm
/// over channels), time running into the picture, and the spacetime patch grid drawn as a wireframe, so one sees how
/// a T × H × W latent is cut into T'·H'·W' tokens (Sora's "spacetime patches").
/// </summary>
public sealed class LatentLoaf : HtmlView
{
    private readonly float[] _values;

    /// <param name="latent">(C, T, H, W) or (1, C, T, H, W).</param>
    /// <param name="patch">The DiT's patch size (p_t, p_h, p_w).</param>
    /// <param name="channel">The channel to colour by; the L2 norm over channels when null.</param>
    public LatentLoaf(Tensor latent, (int T, int H, int W) patch, int? channel = null)
    {
        var (values, shape) = TensorImages.Read(latent);
        if (shape.Length == 5 && shape[0] == 1) shape = shape[1..];
        if (shape.Length != 4)
            throw new ArgumentException($"a latent is (C, T, H, W) or (1, C, T, H, W), got {Tensor.FormatShape(latent.Shape)}", nameof(latent));
        int c = (int)shape[0];
        (Frames, Height, Width) = ((int)shape[1], (int)shape[2], (int)shape[3]);
        int n = Frames * Height * Width;
        if (channel is { } ch)
        {
            if (ch < 0 || ch >= c) throw new ArgumentOutOfRangeException(nameof(channel), $"channel {ch} is out of range for {c} channels");
            _values = values.AsSpan(ch * n, n).ToArray();
            ValueLabel = $"channel {ch}";
        }
        else
        {
            _values = new float[n];
            for (int i = 0; i < n; i++)
            {
                double s = 0;
                for (int k = 0; k < c; k++) s += (double)values[k * n + i] * values[k * n + i];
                _values[i] = (float)Math.Sqrt(s);
            }
            ValueLabel = $"‖z‖ over {c} channels";
        }
        Patch = Validate(patch);
    }

    /// <summary>From plain data: one value per position, row-major (T, H, W).</summary>
    public LatentLoaf(float[] values, int frames, int height, int width, (int T, int H, int W) patch, string valueLabel = "value")
    {
        if (values.Length != frames * height * width)
            throw new ArgumentException($"{values.Length} values do not make a {frames}×{height}×{width} latent", nameof(values));
        _values = values;
        (Frames, Height, Width, ValueLabel) = (frames, height, width, valueLabel);
        Patch = Validate(patch);
    }

    public int Frames { get; }
    public int Height { get; }
    public int Width { get; }
    public (int T, int H, int W) Patch { get; }
    public string ValueLabel { get; }
    public string? Title { get; init; }

    /// <summary>Tokens along each axis: ceil(size / patch).</summary>
    public (int T, int H, int W) TokenGrid => (Ceil(Frames, Patch.T), Ceil(Height, Patch.H), Ceil(Width, Patch.W));

    public Figure ToFigure()
    {
        int n = Frames * Height * Width;
        double[] x = new double[n], y = new double[n], z = new double[n];
        for (int i = 0; i < n; i++)
        {
            int t = i / (Height * Width), h = i / Width % Height, w = i % Width;
            (x[i], y[i], z[i]) = (w, t, Height - 1 - h);
        }
        var cubes = new Trace("scatter3d")
        {
            Name = "latent", X = x, Y = y, Z = z, Mode = "markers", ShowLegend = false,
            Marker = new Marker
            {
                Color = _values, Colorscale = "Viridis", Symbol = "square", Opacity = 0.85,
                Size = Math.Clamp(220.0 / Math.Max(Frames, Math.Max(Height, Width)), 3, 14),
                ShowScale = true, ColorBar = new ColorBar { Title = new Title(ValueLabel), Thickness = 12 },
            },
            Text = Enumerable.Range(0, n).Select(i => $"t={i / (Height * Width)}, h={i / Width % Height}, w={i % Width}").ToArray(),
            HoverTemplate = "%{text}<br>%{marker.color:.3f}<extra></extra>",
        };
        var grid = new Trace("scatter3d")
        {
            Name = "patch grid", Mode = "lines", HoverInfo = "skip", ShowLegend = false,
            Line = new Line { Color = "rgba(30,30,30,0.55)", Width = 2 },
        };
        var (gx, gy, gz) = PatchGridLines();
        (grid.X, grid.Y, grid.Z) = (gx, gy, gz);
        var figure = new Figure([cubes, grid]);
        var (tt, th, tw) = TokenGrid;
        figure.WithTitle(Title ?? $"latent {Frames}×{Height}×{Width} (T×H×W), patches {Patch.T}×{Patch.H}×{Patch.W} → {tt}×{th}×{tw} = {tt * th * tw} tokens");
        figure.Layout.SetScene(1, new Scene
        {
            XAxis = new Axis { Title = new Title("w"), ShowGrid = false, ZeroLine = false, DTick = 1 },
            YAxis = new Axis { Title = new Title("t (time)"), ShowGrid = false, ZeroLine = false, DTick = 1 },
            ZAxis = new Axis { Title = new Title("h"), ShowGrid = false, ZeroLine = false, ShowTickLabels = false },
            AspectMode = "data",
            Camera = new Camera { Eye = new Vector3(1.5, -1.7, 0.9) },
        });
        figure.WithMargin(0, 0, 50, 0);
        figure.Layout.Height = 520;
        return figure;
    }

    public override string ToHtml(HtmlOptions options) => ToFigure().ToHtml(options);

    /// <summary>Wireframe edges of every patch box, as one polyline with null breaks.</summary>
    private (double?[] X, double?[] Y, double?[] Z) PatchGridLines()
    {
        var xs = new List<double?>(); var ys = new List<double?>(); var zs = new List<double?>();
        double[] bt = Bounds(Frames, Patch.T), bh = Bounds(Height, Patch.H), bw = Bounds(Width, Patch.W);
        double Z(double hb) => Height - 1 - hb;
        void Segment((double X, double Y, double Z) a, (double X, double Y, double Z) b)
        {
            xs.AddRange([a.X, b.X, null]); ys.AddRange([a.Y, b.Y, null]); zs.AddRange([a.Z, b.Z, null]);
        }
        foreach (var h in bh) foreach (var w in bw) Segment((w, bt[0], Z(h)), (w, bt[^1], Z(h)));     // along time
        foreach (var t in bt) foreach (var w in bw) Segment((w, t, Z(bh[0])), (w, t, Z(bh[^1])));     // along height
        foreach (var t in bt) foreach (var h in bh) Segment((bw[0], t, Z(h)), (bw[^1], t, Z(h)));     // along width
        return (xs.ToArray(), ys.ToArray(), zs.ToArray());
    }

    private static double[] Bounds(int size, int patch)
    {
        var b = new List<double>();
        for (int k = 0; k * patch < size; k++) b.Add(k * patch - 0.5);
        b.Add(size - 0.5);
        return b.ToArray();
    }

    private static int Ceil(int size, int patch) => (size + patch - 1) / patch;

    private static (int, int, int) Validate((int T, int H, int W) patch) =>
        patch.T > 0 && patch.H > 0 && patch.W > 0 ? patch
            : throw new ArgumentOutOfRangeException(nameof(patch), $"patch sizes must be > 0, got {patch}");
}
