using Workbench.Diffusion;
using Workbench.Models.Attention;

namespace Workbench.Models.Tests;

public class TokenMergingTests
{
    private static readonly TokenMerging On = new();

    // The test's own statement of the pairing: frame 0 alone when T is odd, then consecutive pairs.
    private static List<long[]> Groups(long frames)
    {
        var groups = new List<long[]>();
        long start = frames % 2;
        if (start == 1) groups.Add([0]);
        for (long t = start; t < frames; t += 2) groups.Add([t, t + 1]);
        return groups;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void MergeAveragesFramePairsAndUnmergeRepeatsThem(int frames)
    {
        using var scope = DisposeScope.Enter();
        var grid = new SpacetimeGrid(frames, 2, 3);
        var pairs = new FramePairs(grid, On);
        var groups = Groups(frames);
        Assert.Equal(groups.Count, pairs.Merged.T);
        Assert.Equal((frames + 1) / 2, pairs.Merged.T);

        var x = Tensor.Randn([2, grid.Tokens, 5], dtype: DType.Float64);
        var merged = pairs.Merge(x);
        Assert.Equal([2, pairs.Merged.Tokens, 5], merged.Shape);
        var unmerged = pairs.Unmerge(merged);
        Assert.Equal(x.Shape, unmerged.Shape);

        var xs = x.Contiguous().ToArray<double>();
        var ms = merged.Contiguous().ToArray<double>();
        var us = unmerged.Contiguous().ToArray<double>();
        long s = grid.FrameTokens;
        double X(long b, long t, long i, long c) => xs[((b * frames + t) * s + i) * 5 + c];
        for (long b = 0; b < 2; b++)
            for (int g = 0; g < groups.Count; g++)
                for (long i = 0; i < s; i++)
                    for (long c = 0; c < 5; c++)
                    {
                        double mean = groups[g].Average(t => X(b, t, i, c));
                        Assert.Equal(mean, ms[((b * groups.Count + g) * s + i) * 5 + c], 12);
                        foreach (var t in groups[g]) Assert.Equal(mean, us[((b * frames + t) * s + i) * 5 + c], 12);
                    }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void UnmergeOfMergeIsExactForClipsWhosePairedFramesAreEqual(int frames)
    {
        using var scope = DisposeScope.Enter();
        var grid = new SpacetimeGrid(frames, 3, 2);
        var pairs = new FramePairs(grid, On);
        var distinct = Tensor.Randn([1, pairs.Merged.T, grid.FrameTokens, 4]);
        var clip = pairs.Unmerge(distinct.Reshape(1, pairs.Merged.Tokens, 4));   // each pair holds one frame twice
        Assert.True(DiTTestKit.Same(clip, pairs.Unmerge(pairs.Merge(clip))));
    }

    [Fact]
    public void MergedTokensSitAtTheMeanPositionOfTheirPair()
    {
        using var scope = DisposeScope.Enter();
        var rope = new Rope3d(16);
        var grid = new SpacetimeGrid(5, 2, 2) { Step = (0.5, 1, 1), Offset = (2, 0, 1) };
        var pairs = new FramePairs(grid, On, rope, DType.Float64);
        // Frame 0 alone at t = 2; pairs (1, 2) and (3, 4) at 2 + 0.5·1.5 and 2 + 0.5·3.5.
        double[] times = [2, 2.75, 3.75];
        var (dt, dh, dw) = rope.AxisDims;
        var cos = pairs.Rope!.Cos.Contiguous().ToArray<double>();
        var sin = pairs.Rope.Sin.Contiguous().ToArray<double>();
        int half = 8, row = 0;
        foreach (var t in times)
            for (int h = 0; h < 2; h++)
                for (int w = 0; w < 2; w++, row++)
                {
                    int k = 0;
                    foreach (var (position, d) in new[] { (t, dt), (h, dh), (w + 1.0, dw) })
                        for (int i = 0; i < d / 2; i++, k++)
                        {
                            double angle = position * Math.Pow(10000, -2.0 * i / d);
                            Assert.Equal(Math.Cos(angle), cos[row * half + k], 12);
                            Assert.Equal(Math.Sin(angle), sin[row * half + k], 12);
                        }
                }
    }

    public static TheoryData<AttentionLayout, TextConditioning, int> Supported()
    {
        var data = new TheoryData<AttentionLayout, TextConditioning, int>();
        foreach (var layout in new[] { AttentionLayout.Joint, AttentionLayout.Factorized, AttentionLayout.Alternating, AttentionLayout.Windowed })
            foreach (var text in new[] { TextConditioning.CrossAttention, TextConditioning.Joint })
                foreach (int frames in new[] { 4, 5 })
                    data.Add(layout, text, frames);
        return data;
    }

    [Theory]
    [MemberData(nameof(Supported))]
    public void MergedPassReturnsTheFullGridAndDiffersFromTheFullPass(AttentionLayout layout, TextConditioning text, int frames)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var model = DiTTestKit.Model(DiTTestKit.Small(layout, text));
        DiTTestKit.Randomize(model);
        var x = Tensor.Randn([2, 4, frames, 4, 6]);
        var cond = new DiTConditioning { Text = DiTTestKit.Tokens(2, 6, 20) };
        var full = model.Forward(x, Tensor.FromScalar(0.5f), cond);
        var merged = model.Forward(x, Tensor.FromScalar(0.5f), cond with { TokenMerging = On });
        Assert.Equal(x.Shape, merged.Shape);
        Assert.Equal(1, merged.IsFinite().All().Item<int>());
        Assert.True(DiTTestKit.MaxAbsDiff(full, merged) > 1e-3, "merging should change the output of a clip with distinct frames");
    }

    [Theory]
    [InlineData(AttentionLayout.Joint)]
    [InlineData(AttentionLayout.Factorized)]
    public void OneTokenFrameHasNothingToMergeSoTheOutputIsBitIdentical(AttentionLayout layout)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var model = DiTTestKit.Model(DiTTestKit.Small(layout, TextConditioning.CrossAttention));
        DiTTestKit.Randomize(model);
        var x = Tensor.Randn([2, 4, 1, 4, 6]);
        var cond = new DiTConditioning { Text = DiTTestKit.Tokens(2, 6, 20) };
        Assert.True(DiTTestKit.Same(model.Forward(x, Tensor.FromScalar(0.5f), cond),
            model.Forward(x, Tensor.FromScalar(0.5f), cond with { TokenMerging = On })));
    }

    // Attention over keys that all come twice equals attention over one copy of each (the factor 2 cancels in the
    // softmax), and every other part of a block works per token. So when each frame pair holds one frame twice, every
    // key has multiplicity 2 (even T), and positions do not tell the frames apart (time step 0), the merged pass is the
    // full pass. It is not exact with an odd T (frame 0 alone then weighs as much as a pair), with joint text (text keys
    // come once) or with windows (a merged window spans twice the frames).
    [Theory]
    [InlineData(AttentionLayout.Joint, PositionEncoding.Rope3d)]
    [InlineData(AttentionLayout.Factorized, PositionEncoding.Rope3d)]
    [InlineData(AttentionLayout.Alternating, PositionEncoding.Rope3d)]
    [InlineData(AttentionLayout.Joint, PositionEncoding.SinCos)]
    [InlineData(AttentionLayout.Factorized, PositionEncoding.SinCos)]
    public void ClipOfRepeatedFramesGivesTheUnmergedOutput(AttentionLayout layout, PositionEncoding positions)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var model = DiTTestKit.Model(DiTTestKit.Small(layout, TextConditioning.CrossAttention) with { Positions = positions, QkNorm = true });
        DiTTestKit.Randomize(model);
        var frames = Tensor.Randn([2, 4, 3, 4, 6]);
        var clip = frames.Unsqueeze(3).Expand(2, 4, 3, 2, 4, 6).Reshape(2, 4, 6, 4, 6);   // frames a a b b c c
        var cond = new DiTConditioning { Text = DiTTestKit.Tokens(2, 6, 20), PositionStep = (0, 1, 1) };
        var full = model.Forward(clip, Tensor.From(new float[] { 0.3f, 0.7f }), cond);
        var merged = model.Forward(clip, Tensor.From(new float[] { 0.3f, 0.7f }), cond with { TokenMerging = On });
        Assert.True(full.Abs().Max().Item<double>() > 0.1, "the randomised model should not output zeros");
        Assert.True(DiTTestKit.MaxAbsDiff(full, merged) < 1e-5, $"max difference {DiTTestKit.MaxAbsDiff(full, merged)}");
    }

    [Fact]
    public void TheSameClipWithTimePositionsIsNotExact()
    {
        // The control for the test above: with RoPE time positions a pair's frames differ, so merging changes the output.
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var model = DiTTestKit.Model(DiTTestKit.Small(AttentionLayout.Joint));
        DiTTestKit.Randomize(model);
        var clip = Tensor.Randn([1, 4, 3, 4, 6]).Unsqueeze(3).Expand(1, 4, 3, 2, 4, 6).Reshape(1, 4, 6, 4, 6);
        var full = model.Forward(clip, Tensor.FromScalar(0.5f));
        var merged = model.Forward(clip, Tensor.FromScalar(0.5f), new DiTConditioning { TokenMerging = On });
        Assert.True(DiTTestKit.MaxAbsDiff(full, merged) > 1e-3);
    }

    [Theory]
    [InlineData(AttentionLayout.SpatialOnly)]
    [InlineData(AttentionLayout.CausalTemporal)]
    public void LayoutsWhoseWallsPairsWouldCrossRefuseMerging(AttentionLayout layout)
    {
        using var scope = DisposeScope.Enter();
        var model = DiTTestKit.Model(DiTTestKit.Small(layout));
        var e = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Randn([1, 4, 3, 4, 4]), Tensor.FromScalar(0.5f), new DiTConditioning { TokenMerging = On }));
        Assert.Contains(layout.ToString(), e.Message);
        Assert.Throws<ArgumentException>(() => DiTCost.Estimate(DiTTestKit.Small(layout), 4, 4, 4, merging: On));
    }

    [Fact]
    public void AttentionProbesRefuseMergedPasses()
    {
        using var scope = DisposeScope.Enter();
        var model = DiTTestKit.Model(DiTTestKit.Small());
        var e = Assert.Throws<ArgumentException>(() => model.ForwardWithAttention(Tensor.Randn([1, 4, 3, 4, 4]), Tensor.FromScalar(0.5f),
            new AttentionProbe(0, 0, (0, 0, 0)), new DiTConditioning { TokenMerging = On }));
        Assert.Contains("merging", e.Message);
    }

    [Theory]
    [InlineData(AttentionLayout.Joint, 8)]
    [InlineData(AttentionLayout.Joint, 7)]
    [InlineData(AttentionLayout.Factorized, 8)]
    [InlineData(AttentionLayout.Factorized, 7)]
    public void CostCountsAttentionOnTheMergedFrames(AttentionLayout layout, int frames)
    {
        var c = DiTTestKit.Small(layout, TextConditioning.CrossAttention);          // depth 2, hidden 32, L = 6 text tokens
        const long s = 4, d = 32, l = 6;                                             // a 4×4 latent: 2×2 tokens per frame
        long n = frames * s, tm = (frames + 1) / 2, nm = tm * s;
        var full = DiTCost.Estimate(c, frames, 4, 4);
        var merged = DiTCost.Estimate(c, frames, 4, 4, merging: new TokenMerging());
        var selfOnly = DiTCost.Estimate(c, frames, 4, 4, merging: new TokenMerging { CrossAttention = false });
        // Pairs per block: joint (T·S)², factorized T·S² + S·T², plus N·L for cross-attention; 2 blocks, 1 text-encoder layer (L²).
        double Pairs(long t) => layout == AttentionLayout.Joint ? (double)(t * s) * (t * s) : t * s * s + s * t * t;
        Assert.Equal(2 * (Pairs(frames) + n * l) + l * l, full.AttentionPairs);
        Assert.Equal(2 * (Pairs(tm) + nm * l) + l * l, merged.AttentionPairs);
        Assert.Equal(2 * (Pairs(tm) + n * l) + l * l, selfOnly.AttentionPairs);
        // Linear layers: q, k, v and the output projection (8·D² per token and stage), and the cross-attention's q and proj (4·D²).
        long stages = layout == AttentionLayout.Factorized ? 2 : 1;
        Assert.Equal(2.0 * (stages * 8 * d * d + 4 * d * d) * (n - nm), full.LinearFlops - merged.LinearFlops, 6);
        Assert.Equal(2.0 * stages * 8 * d * d * (n - nm), full.LinearFlops - selfOnly.LinearFlops, 6);
        Assert.NotNull(merged.TokenMerging);
        Assert.Null(full.TokenMerging);
    }

    // ---- the sampler glue ----

    [Theory]
    [InlineData("euler", 10, 0.4)]
    [InlineData("heun", 6, 0.5)]
    public void EarlyStepsGoToTheMergedModel(string samplerName, int steps, double fraction)
    {
        using var scope = DisposeScope.Enter();
        var objective = new RectifiedFlowObjective(new RectifiedFlowConfig());
        var sampler = Samplers.Create(new SamplerConfig(samplerName), objective);
        int count = EarlySteps.Count(fraction, steps);
        var calls = new List<(double T, bool Early)>();
        DiffusionModel Recording(bool early) => (x, t) => { calls.Add((t.Reshape(-1).Narrow(0, 0, 1).Item<double>(), early)); return x * 0.1; };
        var times = objective.SamplingTimes(steps);
        var model = EarlySteps.Switch(Recording(true), Recording(false), times, count);
        sampler.Generate(model, Tensor.Randn([1, 3]), steps).Dispose();
        // Step i calls the model at Timesteps[i] (Heun's corrector at Timesteps[i + 1]): early exactly for i < count.
        var expected = new List<(double, bool)>();
        for (int i = 0; i < steps; i++)
        {
            expected.Add((times[i], i < count));
            if (samplerName == "heun" && i < steps - 1) expected.Add((times[i + 1], i + 1 < count));
        }
        Assert.Equal(expected.Select(e => e.Item2), calls.Select(c => c.Early));
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i].Item1, calls[i].T, 6);
    }

    [Fact]
    public void NoMergedStepsLeavesTheSamplingRunBitIdentical()
    {
        using var scope = DisposeScope.Enter();
        var model = DiTTestKit.Model(DiTTestKit.Small(AttentionLayout.Factorized));
        DiTTestKit.Randomize(model);
        var objective = new RectifiedFlowObjective(new RectifiedFlowConfig());
        var noise = Tensor.Randn([1, 4, 3, 4, 4]);
        var plain = new EulerSampler(objective).Generate(model.AsDiffusionModel(), noise, 4);
        var merged = model.AsDiffusionModel(new DiTConditioning { TokenMerging = On });
        var switched = EarlySteps.Switch(merged, model.AsDiffusionModel(), objective.SamplingTimes(4), EarlySteps.Count(0, 4));
        Assert.True(DiTTestKit.Same(plain, new EulerSampler(objective).Generate(switched, noise, 4)));
        var halfMerged = EarlySteps.Switch(merged, model.AsDiffusionModel(), objective.SamplingTimes(4), 2);
        Assert.False(DiTTestKit.Same(plain, new EulerSampler(objective).Generate(halfMerged, noise, 4)));
    }

    [Fact]
    public void BadScheduleArgumentsAreNamed()
    {
        DiffusionModel m = (x, t) => x;
        Assert.Equal("fraction", Assert.Throws<ArgumentOutOfRangeException>(() => EarlySteps.Count(1.5, 10)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => EarlySteps.Switch(m, m, [1, 0.5, 0], 3)).ParamName);
        Assert.Equal("timesteps", Assert.Throws<ArgumentException>(() => EarlySteps.Switch(m, m, [0, 0.5, 1], 1)).ParamName);
    }
}
