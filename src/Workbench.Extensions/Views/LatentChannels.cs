using Workbench.Extensions.Plotly;
using Workbench.Torch;

namespace Workbench.Extensions;

/// <summary>
/// A spacetime latent (C, T, H, W) as heatmaps: one row per channel, one column per latent frame, each channel on
/// its own symmetric colour scale around 0 (red positive, blue negative), so what each channel encodes and how it
/// moves through time can be read off.
/// </summary>
public sealed class LatentChannels : HtmlView
{
    private readonly float[] _values;

    /// <param name="latent">(C, T, H, W) or (1, C, T, H, W).</param>
    /// <param name="maxChannels">Channels shown (the first ones).</param>
    /// <param name="maxFrames">Latent frames shown (the first ones).</param>
    public LatentChannels(Tensor latent, int maxChannels = 8, int maxFrames = 12)
    {
        var (values, shape) = TensorImages.Read(latent);
        if (shape.Length == 5 && shape[0] == 1) shape = shape[1..];
        if (shape.Length != 4)
            throw new ArgumentException($"a latent is (C, T, H, W) or (1, C, T, H, W), got {Tensor.FormatShape(latent.Shape)}", nameof(latent));
        _values = values;
        (Channels, Frames, Height, Width) = ((int)shape[0], (int)shape[1], (int)shape[2], (int)shape[3]);
        MaxChannels = maxChannels;
        MaxFrames = maxFrames;
    }

    /// <summary>From plain data: <paramref name="values"/> row-major (C, T, H, W).</summary>
    public LatentChannels(float[] values, int channels, int frames, int height, int width, int maxChannels = 8, int maxFrames = 12)
    {
        if (values.Length != channels * frames * height * width)
            throw new ArgumentException($"{values.Length} values do not make a {channels}×{frames}×{height}×{width} latent", nameof(values));
        _values = values;
        (Channels, Frames, Height, Width, MaxChannels, MaxFrames) = (channels, frames, height, width, maxChannels, maxFrames);
    }

    public int Channels { get; }
    public int Frames { get; }
    public int Height { get; }
    public int Width { get; }
    public int MaxChannels { get; }
    public int MaxFrames { get; }
    public string? Title { get; init; }

    public Figure ToFigure()
    {
        int rows = Math.Min(Channels, MaxChannels), columns = Math.Min(Frames, MaxFrames), plane = Height * Width;
        var cells = new List<Figure?>();
        var titles = new List<string>();
        for (int c = 0; c < rows; c++)
        {
            var channel = _values.AsSpan(c * Frames * plane, Frames * plane);
            double bound = 0;
            foreach (var v in channel) if (float.IsFinite(v)) bound = Math.Max(bound, Math.Abs(v));
            if (bound == 0) bound = 1;
            for (int t = 0; t < columns; t++)
            {
                var cell = Chart.Heatmap(channel.Slice(t * plane, plane), Height, Width, "RdBu", -bound, bound);   // plotly.js RdBu: blue low, red high
                var trace = cell.Data[0];
                trace.ShowScale = t == columns - 1;
                trace.HoverTemplate = $"channel {c}, frame {t}<br>h=%{{y}}, w=%{{x}}: %{{z:.3f}}<extra></extra>";
                cell.Layout.XAxisOrNew().ShowTickLabels = false;
                var y = cell.Layout.YAxisOrNew();
                y.ShowTickLabels = false;
                if (t == 0) y.Title = new Title($"ch {c}");
                cells.Add(cell);
                titles.Add(c == 0 ? $"t = {t}" : "");
            }
        }
        const double gapY = 0.04;
        var figure = Chart.Grid(rows, columns, cells, titles, horizontalGap: 0.01, verticalGap: gapY);   // colour bars beside the last column
        var title = Title ?? $"latent {Channels}×{Frames}×{Height}×{Width} (C×T×H×W)" +
            (rows < Channels || columns < Frames ? $", first {rows} channels × {columns} frames" : "");
        figure.WithTitle(title).WithMargin(50, 20, 50, 10);
        figure.Layout.Height = 70 + rows * Math.Clamp(900 / Math.Max(columns, 1) * Height / Math.Max(Width, 1), 60, 200);
        return figure;
    }

    public override string ToHtml(HtmlOptions options) => ToFigure().ToHtml(options);
}
