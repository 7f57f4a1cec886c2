using Workbench.Models;
using Workbench.Models.Attention;
using Workbench.Training;

namespace Workbench.Extensions.Tests;

/// <summary>
/// Small deterministic inputs for the views. Values are exact binary fractions or computed in C# from integers, so
/// the snapshots do not depend on libtorch's kernels or the CPU.
/// </summary>
internal static class Samples
{
    /// <summary>A square of <paramref name="color"/> moving right over a grey ramp, one pixel per frame.</summary>
    public static VideoClip MovingSquare(int frames = 4, int size = 8, (byte R, byte G, byte B) color = default, int speed = 1, string caption = "a square moves right")
    {
        if (color == default) color = (220, 40, 40);
        var clip = VideoClip.Blank(frames, size, size, 3) with { Caption = caption, Fps = 4 };
        for (int t = 0; t < frames; t++)
        {
            var frame = clip.Frame(t);
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    int i = (y * size + x) * 3;
                    bool inside = x >= t * speed && x < t * speed + 3 && y >= 2 && y < 5;
                    byte grey = (byte)(40 + 160 * y / size);
                    (frame[i], frame[i + 1], frame[i + 2]) = inside ? color : (grey, grey, grey);
                }
        }
        return clip;
    }

    /// <summary>A latent (C, T, H, W) of quarter-integer values.</summary>
    public static float[] LatentValues(int c, int t, int h, int w)
    {
        var v = new float[c * t * h * w];
        for (int i = 0; i < v.Length; i++) v[i] = ((i * 7 + i / 5) % 13 - 6) / 4f;
        return v;
    }

    /// <summary>
    /// Attention that falls off with distance: weight ∝ 1 / (1 + |Δt|·2 + |Δh| + |Δw|), over every query of the grid
    /// (stage "joint"), and a factorized pair for query (0, 1, 1): "spatial" (own frame) and "temporal" (own position).
    /// </summary>
    public static AttentionMapSet SyntheticAttention((int T, int H, int W) grid)
    {
        var maps = new List<QueryAttention>();
        foreach (var q in AttentionMaps.AllTokens(grid))
            maps.Add(new QueryAttention(q, "joint", Weights(grid, q, (_, _) => true)) { TextWeight = 0.125 });
        var f = (0, 1, 1);
        maps.Add(new QueryAttention(f, "spatial", Weights(grid, f, (a, b) => a.T == b.T)));
        maps.Add(new QueryAttention(f, "temporal", Weights(grid, f, (a, b) => a.H == b.H && a.W == b.W)));
        return new AttentionMapSet(grid, maps) { Title = "synthetic attention" };
    }

    private static float[] Weights((int T, int H, int W) g, (int T, int H, int W) q, Func<(int T, int H, int W), (int T, int H, int W), bool> sees)
    {
        var w = new double[g.T * g.H * g.W];
        double sum = 0;
        foreach (var k in AttentionMaps.AllTokens(g))
        {
            if (!sees(q, k)) continue;
            double v = 1.0 / (1 + 2 * Math.Abs(k.T - q.T) + Math.Abs(k.H - q.H) + Math.Abs(k.W - q.W));
            w[(k.T * g.H + k.H) * g.W + k.W] = v;
            sum += v;
        }
        return w.Select(v => (float)(v / sum)).ToArray();
    }

    public static IReadOnlyList<DenoisingFrame> DenoisingFrames(int steps = 3)
    {
        var clean = MovingSquare(frames: 2, size: 6);
        var frames = new List<DenoisingFrame>();
        for (int s = 0; s < steps; s++)
        {
            double t = 1 - (double)s / steps, next = 1 - (double)(s + 1) / steps;
            var noisy = Media.FrameStrip(clean);
            var x0 = Media.FrameStrip(clean);
            for (int i = 0; i < noisy.Pixels.Length; i++)
            {
                int noise = (i * 37 + s * 11) % 101 - 50;                               // deterministic "noise"
                noisy.Pixels[i] = (byte)Math.Clamp(noisy.Pixels[i] + noise * next * 4, 0, 255);
                x0.Pixels[i] = (byte)Math.Clamp(x0.Pixels[i] + noise * t, 0, 255);
            }
            frames.Add(new DenoisingFrame(s, steps, t, next, t * t, noisy, x0));
        }
        return frames;
    }

    public static IEnumerable<TrainStep> TrainSteps(int count = 5) => Enumerable.Range(1, count).Select(i =>
        new TrainStep(i * 10, 1.0 / i, 0.75 / i, 0.25 / i, 1e-3 * Math.Min(1, i / 2.0), 0.5, 16, i * 2, i / (double)count));

    public static IReadOnlyList<RunSeries> Runs() =>
    [
        new("joint", [(1000, 420), (2000, 300), (4000, 210)]),
        new("factorized", [(1000, 460), (2000, 350), (4000, 260)]),
        new("per-frame", [(1000, 500), (2000, 430), (4000, 390)]),
    ];

    public static IReadOnlyList<RunSeries> ComputeRuns() =>
    [
        new("S", [(0.5, 420), (1, 330), (2, 260)]),
        new("B", [(2, 300), (4, 220), (8, 170)]),
    ];

    /// <summary>A time source that moves only when told.</summary>
    public sealed class ManualTime : TimeProvider
    {
        private long _ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => _ticks;
        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    /// <summary>A tiny DiT (hidden 32, 2 heads, depth 2, no text) at DiT's initialisation, deterministic by seed.</summary>
    public static SpacetimeDiT TinyDiT(AttentionLayout layout, ulong seed = 0)
    {
        Workbench.Torch.Torch.ManualSeed(seed);
        return new SpacetimeDiT(DiTConfig.Tiny with
        {
            Hidden = 32, Depth = 2, Heads = 2, Attention = layout, Text = TextConditioning.None,
            TextHidden = 16, TextHeads = 2, TextDepth = 1, VocabSize = 20, MaxTextLength = 6, Window = (2, 2, 2),
        });
    }

    /// <summary>Attention maps of a real (tiny) model over a 3 × 2 × 3 token grid (latent 3 × 4 × 6, patches 1 × 2 × 2).</summary>
    public static AttentionMapSet ModelAttention(AttentionLayout layout = AttentionLayout.Joint, IEnumerable<(int, int, int)>? queries = null)
    {
        using var model = TinyDiT(layout);
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(7);
        var x = Tensor.Randn([1, 4, 3, 4, 6], generator: generator);
        return AttentionMaps.Compute(model, x, Tensor.From([0.5f]), block: 1, head: 0, queries: queries);
    }
}
