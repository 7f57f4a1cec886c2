using Workbench.Data;
using Workbench.Diffusion;
using Workbench.Extensions.Plotly;
using Workbench.Torch;

namespace Workbench.Extensions;

/// <summary>One recorded sampler step as pictures: the sample x_t after the step and the model's x0 estimate, each a filmstrip of the clip's frames.</summary>
/// <param name="Step">0-based step index.</param>
/// <param name="Steps">Steps planned.</param>
/// <param name="T">Model time the step started from.</param>
/// <param name="NextT">Model time of <paramref name="Xt"/>.</param>
/// <param name="NoiseLevel">The noise level to plot (σ, or 1 − ᾱ, ...; <paramref name="T"/> when the caller gave no function).</param>
public sealed record DenoisingFrame(int Step, int Steps, double T, double NextT, double NoiseLevel, Image Xt, Image PredictedX0);

/// <summary>How <see cref="DenoisingView.FromTrace"/> turns sampler steps into pictures.</summary>
public sealed record DenoisingOptions
{
    /// <summary>Latents to pixels (the VAE decoder), (B, C, T, H, W) → (B, 3 or 1, T', H', W'); null shows the tensors themselves.</summary>
    public Func<Tensor, Tensor>? Decode { get; init; }
    /// <summary>Noise level of a model time (e.g. a schedule's σ(t)); the time itself when null.</summary>
    public Func<double, double>? NoiseLevel { get; init; }
    public string NoiseLabel { get; init; } = "t";
    /// <summary>Keep every n-th step (the last step is always kept).</summary>
    public int Every { get; init; } = 1;
    /// <summary>Which batch item.</summary>
    public int Batch { get; init; }
    /// <summary>Value range mapped to black..white: [-1, 1] for pixels; widen it for undecoded latents.</summary>
    public (double Min, double Max) Range { get; init; } = (-1, 1);
    /// <summary>Dispose each step's tensors once recorded (the trace's consumer owns them).</summary>
    public bool DisposeSteps { get; init; } = true;
}

/// <summary>
/// Denoising progress: a slider (and play/pause) over the sampler's steps showing the sample x_t and the model's
/// predicted x0 (each clip as a filmstrip of its frames) and, below, the noise level against the step with the
/// current step marked. Built on plotly.js animation frames.
/// </summary>
public sealed class DenoisingView : HtmlView
{
    public DenoisingView(IReadOnlyList<DenoisingFrame> frames, string noiseLabel = "t")
    {
        if (frames.Count == 0) throw new ArgumentException("a denoising view needs at least one step", nameof(frames));
        Frames = frames;
        NoiseLabel = noiseLabel;
    }

    public IReadOnlyList<DenoisingFrame> Frames { get; }
    public string NoiseLabel { get; }
    public string? Title { get; init; }
    public int FrameMilliseconds { get; init; } = 400;

    /// <summary>
    /// Records a sampler trace (consuming it): every <see cref="DenoisingOptions.Every"/>-th step's X and PredictedX0,
    /// decoded when a decoder is given, batch item <see cref="DenoisingOptions.Batch"/>, as filmstrips.
    /// </summary>
    public static DenoisingView FromTrace(IEnumerable<SampleStep> trace, DenoisingOptions? options = null)
    {
        options ??= new DenoisingOptions();
        if (options.Every < 1) throw new ArgumentOutOfRangeException(nameof(options), $"Every must be ≥ 1, got {options.Every}");
        var frames = new List<DenoisingFrame>();
        foreach (var step in trace)
        {
            try
            {
                if (step.Index % options.Every != 0 && !step.IsLast) continue;
                frames.Add(new DenoisingFrame(step.Index, step.Steps, step.T, step.NextT,
                    options.NoiseLevel?.Invoke(step.T) ?? step.T, Strip(step.X, options), Strip(step.PredictedX0, options)));
            }
            finally
            {
                if (options.DisposeSteps) step.Dispose();
            }
        }
        return new DenoisingView(frames, options.NoiseLevel is null ? "t" : options.NoiseLabel);
    }

    /// <summary>(B, C, T, H, W) or (B, C, H, W) → the batch item's frames side by side (first 3 channels, or the first when fewer).</summary>
    private static Image Strip(Tensor x, DenoisingOptions o)
    {
        using var scope = DisposeScope.Enter();
        var t = o.Decode is { } decode ? decode(x) : x;
        if (t.Rank == 4) t = t.Unsqueeze(2);                                          // images: one frame
        if (t.Rank != 5) throw new ArgumentException($"sampler states are (B, C, T, H, W) or (B, C, H, W), got {Tensor.FormatShape(t.Shape)}");
        if (o.Batch < 0 || o.Batch >= t.Size(0)) throw new ArgumentOutOfRangeException(nameof(o), $"batch item {o.Batch} is out of range for batch {t.Size(0)}");
        var item = t.Select(0, o.Batch);                                              // (C, T, H, W)
        long c = item.Size(0);
        if (c is not (1 or 3)) item = item.Narrow(0, 0, c >= 3 ? 3 : 1);
        return Media.FrameStrip(TensorImages.ToClip(item, o.Range));
    }

    public Figure ToFigure()
    {
        var steps = Frames.Select(f => (double)f.Step).ToArray();
        var noise = Frames.Select(f => f.NoiseLevel).ToArray();
        var animation = new List<(string, Figure)>();
        foreach (var f in Frames)
        {
            var xt = Chart.Image(f.Xt);
            xt.Data[0].Name = "x_t";
            var x0 = Chart.Image(f.PredictedX0);
            x0.Data[0].Name = "predicted x0";
            var curve = Chart.Line(steps, noise, NoiseLabel, markers: true);
            curve.Data[0].Line = new Line { Color = "#888" };
            curve.Data[0].Marker = new Marker { Size = 4, Color = "#888" };
            curve.AddTrace(new Trace("scatter") { X = new[] { (double)f.Step }, Y = new[] { f.NoiseLevel }, Mode = "markers", Name = "now", Marker = new Marker { Size = 12, Color = "crimson" } });
            curve.WithXAxis("step").WithYAxis(NoiseLabel);
            if (Frames[^1].Step <= 20) curve.Layout.XAxisOrNew().DTick = 1;
            var grid = Chart.Grid(3, 1, [xt, x0, curve], ["x_t (sample after the step)", "predicted x0", $"noise level ({NoiseLabel})"], verticalGap: 0.09);
            grid.Layout.ShowLegend = false;
            grid.WithTitle($"{Title ?? "denoising"}: step {f.Step + 1} / {f.Steps}, t = {f.T:0.###} → {f.NextT:0.###}, {NoiseLabel} = {f.NoiseLevel:0.###}");
            animation.Add(($"{f.Step + 1}", grid));                                      // 1-based, as in the title
        }
        var figure = Chart.Animate(animation, FrameMilliseconds, sliderPrefix: "step ");
        var strip = Frames[0].Xt;
        int imageHeight = Math.Clamp(900 * strip.Height / Math.Max(strip.Width, 1), 60, 260);
        figure.Layout.Height = 2 * imageHeight + 160 + 170;
        figure.WithMargin(50, 20, 60, 110);
        return figure;
    }

    public override string ToHtml(HtmlOptions options) => ToFigure().ToHtml(options);
}
