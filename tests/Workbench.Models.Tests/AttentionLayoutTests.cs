using Workbench.Models.Attention;

namespace Workbench.Models.Tests;

public class AttentionLayoutTests
{
    public static TheoryData<AttentionLayout> Layouts => new(Enum.GetValues<AttentionLayout>());

    // The test's own statement of who may read whom: key (b) visible to query (a), for block `block`.
    private static bool Sees(AttentionLayout layout, string stage, int block, SpacetimeGrid g, (int T, int H, int W) window, bool shift,
        (long T, long H, long W) a, (long T, long H, long W) b)
    {
        switch (stage)
        {
            case "joint": return true;
            case "spatial": return a.T == b.T;
            case "temporal": return a.H == b.H && a.W == b.W;
            case "causal": return b.T <= a.T;
            case "window":
                // Swin: windows of w tokens whose boundaries lie at s + k·w (s = half a window on shifted blocks).
                static long Id(long c, long n, long w, bool shifted)
                {
                    long size = Math.Min(w, n), s = shifted && size < n ? size / 2 : 0;
                    return (long)Math.Floor((c - s) / (double)size);
                }
                bool shifted = shift && block % 2 == 1;
                return Id(a.T, g.T, window.T, shifted) == Id(b.T, g.T, window.T, shifted)
                    && Id(a.H, g.H, window.H, shifted) == Id(b.H, g.H, window.H, shifted)
                    && Id(a.W, g.W, window.W, shifted) == Id(b.W, g.W, window.W, shifted);
            default: throw new ArgumentException(stage);
        }
    }

    private static Tensor DenseMask(AttentionLayout layout, string stage, int block, SpacetimeGrid g, (int T, int H, int W) window, bool shift)
    {
        var data = new bool[g.Tokens * g.Tokens];
        for (long i = 0; i < g.Tokens; i++)
            for (long j = 0; j < g.Tokens; j++)
                data[i * g.Tokens + j] = Sees(layout, stage, block, g, window, shift, g.Coordinates(i), g.Coordinates(j));
        return Tensor.From(data, [g.Tokens, g.Tokens]);
    }

    // One stage computed the plain way: all N×N scores, masked.
    private static Tensor DenseStage(MultiheadAttention attn, Tensor x, RopeTables rope, Tensor mask, JointText? text)
    {
        var (q, k, v) = attn.Project(x);
        q = Rope3d.Apply(q, rope);
        k = Rope3d.Apply(k, rope);
        if (text is not null)
        {
            k = Tensor.Cat([text.K, k], 2);
            v = Tensor.Cat([text.V, v], 2);
            mask = Tensor.Cat([Tensor.Ones([mask.Size(0), text.K.Size(2)], DType.Bool), mask], 1);
        }
        return attn.Output(F.ScaledDotProductAttention(q, k, v, mask));
    }

    private static JointText RandomText(long batch, int heads, long length, int headDim) =>
        new(Tensor.Randn([batch, heads, length, headDim]), Tensor.Randn([batch, heads, length, headDim]), Tensor.Randn([batch, heads, length, headDim]));

    public static TheoryData<AttentionLayout, int, bool> LayoutBlockText()
    {
        var data = new TheoryData<AttentionLayout, int, bool>();
        foreach (var layout in Enum.GetValues<AttentionLayout>())
            foreach (int block in new[] { 0, 1 })
                foreach (bool text in new[] { false, true })
                    data.Add(layout, block, text);
        return data;
    }

    [Theory]
    [MemberData(nameof(LayoutBlockText))]
    public void EachLayoutEqualsDenseAttentionUnderItsMask(AttentionLayout layout, int block, bool withText)
    {
        Workbench.Torch.Torch.ManualSeed(11);
        var window = (2, 2, 3);
        var attention = SpacetimeAttention.Create(layout, block, 16, 2, qkNorm: false, window, shiftWindows: true);
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var grid = new SpacetimeGrid(3, 3, 4);                                       // windows do not divide it: padding is exercised
        var x = Tensor.Randn([2, grid.Tokens, 16]);
        var rope = new Rope3d(8).Tables(grid);
        var text = withText ? RandomText(2, 2, 3, 8) : null;
        var (video, textOut) = attention.Forward(x, grid, rope, text);

        var stages = attention.Stages;
        var modules = attention.Modules.Select(m => m.Attention).ToArray();
        Tensor expected;
        if (layout == AttentionLayout.Factorized)
        {
            var s = DenseStage(modules[0], x, rope, DenseMask(layout, "spatial", block, grid, window, true), text);
            expected = s + DenseStage(modules[1], x + s, rope, DenseMask(layout, "temporal", block, grid, window, true), text);
        }
        else expected = DenseStage(modules[0], x, rope, DenseMask(layout, stages[0], block, grid, window, true), text);
        Assert.True(video.AllClose(expected, 1e-4, 1e-5), $"max difference {DiTTestKit.MaxAbsDiff(video, expected)}");

        if (!withText) { Assert.Null(textOut); return; }
        // Text queries read the text, and the (first stage's) video keys unless the layout keeps its walls.
        var (_, k, v) = modules[0].Project(x);
        k = Rope3d.Apply(k, rope);
        bool reads = layout is not (AttentionLayout.SpatialOnly or AttentionLayout.CausalTemporal);
        Assert.Equal(reads, attention.TextReadsVideo);
        var expectedText = reads
            ? F.ScaledDotProductAttention(text!.Q!, Tensor.Cat([text.K, k], 2), Tensor.Cat([text.V, v], 2))
            : F.ScaledDotProductAttention(text!.Q!, text.K, text.V);
        Assert.True(textOut!.AllClose(expectedText, 1e-4, 1e-5));
    }

    [Theory]
    [MemberData(nameof(LayoutBlockText))]
    public void AttentionWeightsOfAQuerySumToOneOverExactlyTheKeysItMayRead(AttentionLayout layout, int block, bool withText)
    {
        Workbench.Torch.Torch.ManualSeed(12);
        var window = (2, 2, 2);
        var attention = SpacetimeAttention.Create(layout, block, 16, 2, qkNorm: true, window, shiftWindows: true);
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var grid = new SpacetimeGrid(4, 3, 3);
        var x = Tensor.Randn([2, grid.Tokens, 16]);
        var rope = new Rope3d(8).Tables(grid);
        var text = withText ? RandomText(2, 2, 3, 8) : null;
        var query = (T: 2L, H: 1L, W: 2L);
        var probe = new AttentionProbe(block, head: 1, query);
        attention.Forward(x, grid, rope, text, probe);

        Assert.Equal(attention.Stages, probe.Maps.Select(m => m.Stage));
        foreach (var map in probe.Maps)
        {
            Assert.Equal(new long[] { 2, grid.T, grid.H, grid.W }, map.Video.Shape);
            var total = map.Video.Sum([1, 2, 3]) + (map.Text?.Sum(1) ?? Tensor.Zeros([2]));
            Assert.True(total.AllClose(Tensor.Ones([2]), 1e-5, 1e-6), $"{map.Stage} weights sum to {total}");
            if (withText) Assert.True(map.Text!.Min().Item<float>() > 0);
            var weights = map.Video.ToArray<float>();
            for (long j = 0; j < grid.Tokens; j++)
            {
                bool allowed = Sees(layout, map.Stage, block, grid, window, true, query, grid.Coordinates(j));
                for (int b = 0; b < 2; b++)
                    Assert.True(allowed ? weights[b * grid.Tokens + j] > 0 : weights[b * grid.Tokens + j] == 0,
                        $"{map.Stage}: key {grid.Coordinates(j)} has weight {weights[b * grid.Tokens + j]} but allowed = {allowed}");
            }
            map.Dispose();
        }
        var probeOtherBlock = new AttentionProbe(block + 1, 0, query);
        attention.Forward(x, grid, rope, text, probeOtherBlock);
        Assert.Empty(probeOtherBlock.Maps);
    }

    [Fact]
    public void TheModelReturnsTheMapsOfTheRequestedBlock()
    {
        using var model = DiTTestKit.Model(DiTTestKit.Small(AttentionLayout.Alternating, TextConditioning.Joint) with { Depth = 3 });
        DiTTestKit.Randomize(model);
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var x = Tensor.Randn([1, 4, 3, 4, 4]);
        var plain = model.Forward(x, Tensor.From([0.5f]));
        var (output, maps) = model.ForwardWithAttention(x, Tensor.From([0.5f]), new AttentionProbe(1, 0, (1, 1, 0)));
        Assert.True(DiTTestKit.Same(plain, output));
        var map = Assert.Single(maps);
        Assert.Equal("temporal", map.Stage);                                         // block 1 of Alternating
        Assert.Equal(new long[] { 1, 3, 2, 2 }, map.Video.Shape);
        Assert.Equal(new long[] { 1, model.Config.MaxTextLength }, map.Text!.Shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ForwardWithAttention(x, Tensor.From([0.5f]), new AttentionProbe(3, 0, (0, 0, 0))));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ForwardWithAttention(x, Tensor.From([0.5f]), new AttentionProbe(0, 0, (3, 0, 0))));
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void EveryLayoutGivesTheInputsShapeOnGridsTheWindowsDoNotDivide(AttentionLayout layout)
    {
        using var model = DiTTestKit.Model(DiTTestKit.Small(layout, TextConditioning.Joint) with { Window = (2, 3, 3) });
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        foreach (var shape in new long[][] { [2, 4, 1, 8, 8], [1, 4, 5, 8, 10], [1, 4, 3, 2, 14] })
            Assert.Equal(shape, model.Forward(Tensor.Randn(shape), Tensor.FromScalar(0.5f)).Shape);
    }

    [Theory]
    [InlineData(AttentionLayout.SpatialOnly)]
    [InlineData(AttentionLayout.CausalTemporal)]
    public void WithOneFrameJointAttentionIsPerFrameAttention(AttentionLayout other)
    {
        using var joint = DiTTestKit.Model(DiTTestKit.Small(AttentionLayout.Joint, TextConditioning.CrossAttention));
        DiTTestKit.Randomize(joint);
        using var same = DiTTestKit.Model(DiTTestKit.Small(other, TextConditioning.CrossAttention), seed: 9);
        same.LoadStateDict(joint.StateDict().ToDictionary(e => e.Name, e => e.Tensor)); // identical keys: one "attn" per block
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var cond = new DiTConditioning { Text = DiTTestKit.Tokens(2, 5, 20) };
        var image = Tensor.Randn([2, 4, 1, 8, 8]);
        var t = Tensor.From([0.3f, 0.8f]);
        var a = joint.Forward(image, t, cond);
        Assert.True(a.AllClose(same.Forward(image, t, cond), 1e-5, 1e-6), $"max difference {DiTTestKit.MaxAbsDiff(a, same.Forward(image, t, cond))}");
        // Control: with two frames they differ.
        var clip = Tensor.Randn([2, 4, 2, 8, 8]);
        Assert.True(DiTTestKit.MaxAbsDiff(joint.Forward(clip, t, cond), same.Forward(clip, t, cond)) > 1e-4);
    }

    public static TheoryData<TextConditioning> TextModes => new(Enum.GetValues<TextConditioning>());

    // Output frames of a 4-frame clip whose input frame 2 was changed (patch p_t = 1, so tokens are frames).
    private static (bool[] Same, double[] Difference) PerturbFrame2(AttentionLayout layout, TextConditioning text, Func<DiTConfig, DiTConfig>? edit = null)
    {
        var config = DiTTestKit.Small(layout, text) with { Depth = 3 };
        using var model = DiTTestKit.Model(edit?.Invoke(config) ?? config);
        DiTTestKit.Randomize(model);
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var x = Tensor.Randn([2, 4, 4, 4, 4]);
        var changed = x.Clone();
        changed[.., .., 2].Copy_(Tensor.Randn([2, 4, 4, 4]));
        var cond = text == TextConditioning.None ? null : new DiTConditioning { Text = DiTTestKit.Tokens(2, 5, 20) };
        var t = Tensor.From([0.4f, 0.6f]);
        var a = model.Forward(x, t, cond);
        var b = model.Forward(changed, t, cond);
        var same = new bool[4];
        var diff = new double[4];
        for (int f = 0; f < 4; f++)
        {
            same[f] = a[.., .., f].AllClose(b[.., .., f], 0, 1e-6);
            diff[f] = DiTTestKit.MaxAbsDiff(a[.., .., f], b[.., .., f]);
        }
        return (same, diff);
    }

    [Theory]
    [MemberData(nameof(TextModes))]
    public void SpatialOnlyNeverMixesFrames(TextConditioning text)
    {
        var (same, diff) = PerturbFrame2(AttentionLayout.SpatialOnly, text);
        Assert.Equal(new[] { true, true, false, true }, same);
        Assert.True(diff[2] > 1e-3);
    }

    [Theory]
    [MemberData(nameof(TextModes))]
    public void CausalTemporalNeverSeesTheFuture(TextConditioning text)
    {
        var (same, diff) = PerturbFrame2(AttentionLayout.CausalTemporal, text);
        Assert.Equal(new[] { true, true, false, false }, same);
        Assert.True(diff[3] > 1e-4);
    }

    [Theory]
    [InlineData(AttentionLayout.Joint)]
    [InlineData(AttentionLayout.Factorized)]
    [InlineData(AttentionLayout.Alternating)]
    public void LayoutsThatCrossTimeCarryAChangeIntoEveryFrame(AttentionLayout layout)
    {
        var (same, diff) = PerturbFrame2(layout, TextConditioning.Joint);
        Assert.All(same, s => Assert.False(s));
        Assert.True(diff[0] > 1e-4);
    }

    [Fact]
    public void ShiftedWindowsWidenTheReachBlockByBlock()
    {
        // Windows of 2 frames: block 0 pairs frames {0,1},{2,3}; the shifted block 1 pairs {0},{1,2},{3}.
        static DiTConfig Windows(DiTConfig c) => c with { Depth = 2, Window = (2, 4, 4) };
        var (shifted, _) = PerturbFrame2(AttentionLayout.Windowed, TextConditioning.None, Windows);
        Assert.Equal(new[] { true, false, false, false }, shifted);
        var (fixedWindows, _) = PerturbFrame2(AttentionLayout.Windowed, TextConditioning.None, c => Windows(c) with { ShiftWindows = false });
        Assert.Equal(new[] { true, true, false, false }, fixedWindows);
    }

    [Theory]
    [InlineData(5, 2, false)]
    [InlineData(5, 2, true)]
    [InlineData(8, 4, true)]
    [InlineData(3, 4, true)]
    [InlineData(1, 2, true)]
    public void WindowsCoverEveryTokenOnce(long size, long window, bool shifted)
    {
        var axis = WindowAxis.For(size, window, shifted);
        Assert.Equal(size, axis.RealCounts().Sum());
        Assert.All(axis.RealCounts(), c => Assert.InRange(c, 1, Math.Min(size, window)));
        var ids = Enumerable.Range(0, (int)size).Select(c => axis.WindowOf(c)).ToArray();
        Assert.Equal(ids.OrderBy(i => i), ids);
        Assert.Equal(axis.Count, ids.Distinct().Count());
    }
}
