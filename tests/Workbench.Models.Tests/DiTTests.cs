using Workbench.Diffusion;
using Workbench.Models.Attention;

namespace Workbench.Models.Tests;

public class DiTTests
{
    [Theory]
    [InlineData(1, 8, 8, 1, 2, 2)]   // an image is a one-frame video
    [InlineData(5, 8, 8, 1, 2, 2)]
    [InlineData(4, 8, 12, 2, 2, 2)]  // temporal patches, a wide aspect ratio
    [InlineData(3, 6, 4, 1, 1, 1)]
    [InlineData(6, 4, 8, 3, 4, 2)]
    public void TheOutputHasTheInputsShapeForAnyDurationResolutionAndPatch(int t, int h, int w, int pt, int ph, int pw)
    {
        using var model = DiTTestKit.Model(DiTTestKit.Small(text: TextConditioning.CrossAttention) with { Patch = (pt, ph, pw) });
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var x = Tensor.Randn([2, 4, t, h, w]);
        var y = model.Forward(x, Tensor.From([0.3f, 0.9f]), new DiTConditioning { Text = DiTTestKit.Tokens(2, 5, 20) });
        Assert.Equal(x.Shape, y.Shape);
        Assert.Equal(new SpacetimeGrid(t / pt, h / ph, w / pw), model.Config.Grid(t, h, w));
    }

    [Fact]
    public void OneModelTakesClipsOfDifferentShapesInTurn()
    {
        using var model = DiTTestKit.Model(DiTTestKit.Small());
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        foreach (var shape in new long[][] { [1, 4, 1, 8, 8], [1, 4, 5, 8, 8], [1, 4, 3, 4, 10] })
            Assert.Equal(shape, model.Forward(Tensor.Randn(shape), Tensor.FromScalar(0.5f)).Shape);
    }

    [Fact]
    public void AnInputThePatchDoesNotDivideIsRejectedWithTheShapes()
    {
        using var model = DiTTestKit.Model(DiTTestKit.Small() with { Patch = (2, 2, 2) });
        using var scope = DisposeScope.Enter();
        var e = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([1, 4, 3, 8, 8]), Tensor.Zeros([1])));
        Assert.Contains("3×8×8", e.Message);
        Assert.Contains("2×2×2", e.Message);
        Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([1, 3, 2, 8, 8]), Tensor.Zeros([1])));
        Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([2, 4, 2, 8, 8]), Tensor.Zeros([3])));
    }

    [Theory]
    [InlineData(Modulation.AdaLNZero, TextConditioning.None, false)]
    [InlineData(Modulation.AdaLNZero, TextConditioning.CrossAttention, true)]
    [InlineData(Modulation.AdaLNZero, TextConditioning.Joint, false)]
    [InlineData(Modulation.AdaLNSingle, TextConditioning.CrossAttention, false)]
    [InlineData(Modulation.AdaLNSingle, TextConditioning.Joint, true)]
    public void TheFreshModelOutputsExactlyZero(Modulation modulation, TextConditioning text, bool frames)
    {
        using var model = DiTTestKit.Model(DiTTestKit.Small(AttentionLayout.Factorized, text) with { Modulation = modulation, FrameConditioning = frames });
        using var scope = DisposeScope.Enter();
        var x = Tensor.Randn([2, 4, 3, 4, 4]);
        var cond = text == TextConditioning.None ? null : new DiTConditioning { Text = DiTTestKit.Tokens(2, 4, 20) };
        var y = model.Forward(x, Tensor.From([0.1f, 0.7f]), cond);
        Assert.Equal(0.0, y.Abs().Max().Item<double>());
    }

    [Theory]
    [InlineData(TextConditioning.CrossAttention)]
    [InlineData(TextConditioning.Joint)]
    public void EveryAdaLNZeroBlockIsTheIdentityAtInitialisation(TextConditioning text)
    {
        using var model = DiTTestKit.Model(DiTTestKit.Small(AttentionLayout.Joint, text));
        using var scope = DisposeScope.Enter();
        var grid = new SpacetimeGrid(2, 2, 2);
        var x = Tensor.Randn([2, grid.Tokens, 32]);
        var y = Tensor.Randn([2, 4, 16]);
        var c = Tensor.Randn([2, 32]);
        var rope = new Rope3d(16).Tables(grid);
        var block = model.Blocks[0];
        var (x2, y2) = block.Forward(x, y, c, c, grid, rope, null);
        Assert.True(DiTTestKit.Same(x2, x), "video tokens changed");
        Assert.True(DiTTestKit.Same(y2!, y), "text tokens changed");
    }

    [Fact]
    public void AStateDictSavedAndLoadedGivesIdenticalOutputsUnderPyTorchNames()
    {
        var config = DiTTestKit.Small(AttentionLayout.Factorized, TextConditioning.Joint) with { FrameConditioning = true };
        using var a = DiTTestKit.Model(config, seed: 1);
        DiTTestKit.Randomize(a, seed: 5);
        using var b = DiTTestKit.Model(config, seed: 2);
        var path = Path.Combine(Path.GetTempPath(), $"dit-{Guid.NewGuid():N}.safetensors");
        try
        {
            a.Save(path);
            b.Load(path);
        }
        finally { File.Delete(path); }
        var names = a.StateDict().Select(e => e.Name).ToHashSet();
        foreach (var key in new[] { "x_embedder.proj.weight", "t_embedder.mlp.0.weight", "t_embedder.mlp.2.bias", "blocks.1.attn.qkv.weight",
                     "blocks.0.attn_temp.proj.weight", "blocks.0.adaLN_modulation.1.weight", "blocks.0.mlp.fc1.weight", "blocks.0.text_qkv.weight",
                     "blocks.0.text_mlp.fc2.weight", "final_layer.linear.weight", "final_layer.adaLN_modulation.1.weight", "y_embedding",
                     "text_encoder.token_embedding.weight", "text_encoder.blocks.0.attn.qkv.weight" })
            Assert.Contains(key, names);
        Assert.DoesNotContain("blocks.1.text_mlp.fc1.weight", names); // the last block only reads the text

        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var x = Tensor.Randn([1, 4, 3, 4, 4]);
        var cond = new DiTConditioning { Text = DiTTestKit.Tokens(1, 4, 20) }.WithFirstFrame(Tensor.Randn([1, 4, 1, 4, 4]), 3);
        var ya = a.Forward(x, Tensor.From([0.4f]), cond);
        Assert.True(ya.Abs().Max().Item<double>() > 1e-3);
        Assert.True(DiTTestKit.Same(ya, b.Forward(x, Tensor.From([0.4f]), cond)));
    }

    [Theory]
    [InlineData(AttentionLayout.Joint, TextConditioning.Joint, Modulation.AdaLNZero, false)]
    [InlineData(AttentionLayout.SpatialOnly, TextConditioning.Joint, Modulation.AdaLNZero, true)]
    [InlineData(AttentionLayout.Factorized, TextConditioning.CrossAttention, Modulation.AdaLNSingle, true)]
    [InlineData(AttentionLayout.Windowed, TextConditioning.Joint, Modulation.AdaLNSingle, false)]
    [InlineData(AttentionLayout.Alternating, TextConditioning.None, Modulation.AdaLNZero, true)]
    [InlineData(AttentionLayout.CausalTemporal, TextConditioning.CrossAttention, Modulation.AdaLNZero, false)]
    public void GradientsReachEveryParameter(AttentionLayout layout, TextConditioning text, Modulation modulation, bool qkNorm)
    {
        using var model = DiTTestKit.Model(DiTTestKit.Small(layout, text) with { Modulation = modulation, QkNorm = qkNorm, FrameConditioning = true });
        DiTTestKit.Randomize(model);
        using var scope = DisposeScope.Enter();
        var x = Tensor.Randn([2, 4, 3, 4, 4]);
        var cond = new DiTConditioning { Text = text == TextConditioning.None ? null : DiTTestKit.Tokens(2, 4, 20) }
            .WithReferenceFrames(Tensor.Randn([2, 4, 3, 4, 4]), 0);
        var drop = text == TextConditioning.None ? null : Tensor.From([true, false]); // one sample reads the null embedding
        var y = model.Forward(x, Tensor.From([0.2f, 0.8f]), cond with { DropText = drop });
        y.Square().Mean().Backward();
        foreach (var (name, p) in model.NamedParameters())
        {
            var g = p.Grad;
            Assert.True(g is not null, $"{name} got no gradient");
            Assert.True(g!.Abs().Sum().Item<double>() > 0, $"{name} has an all-zero gradient");
        }
    }

    [Fact]
    public void DroppingTheTextSwapsInTheNullEmbeddingPerSample()
    {
        using var model = DiTTestKit.Model(DiTTestKit.Small(text: TextConditioning.CrossAttention));
        DiTTestKit.Randomize(model);
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var x = Tensor.Randn([2, 4, 2, 4, 4]);
        var t = Tensor.From([0.3f, 0.6f]);
        var tokens = DiTTestKit.Tokens(2, model.Config.MaxTextLength, 20);
        var conditional = model.Forward(x, t, new DiTConditioning { Text = tokens });
        var unconditional = model.Forward(x, t);                                    // no text: the null embedding
        var mixed = model.Forward(x, t, new DiTConditioning { Text = tokens, DropText = Tensor.From([true, false]) });
        Assert.True(DiTTestKit.MaxAbsDiff(conditional, unconditional) > 1e-3);
        Assert.True(mixed[0].AllClose(unconditional[0], 1e-5, 1e-6));
        Assert.True(mixed[1].AllClose(conditional[1], 1e-5, 1e-6));
    }

    [Fact]
    public void GuidanceThroughTheConditionalAdapterCombinesTheTwoPasses()
    {
        using var model = DiTTestKit.Model(DiTTestKit.Small(text: TextConditioning.Joint));
        DiTTestKit.Randomize(model);
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var x = Tensor.Randn([2, 4, 2, 4, 4]);
        var t = Tensor.From([0.5f, 0.5f]);
        var tokens = DiTTestKit.Tokens(2, 5, 20);
        var cond = model.Forward(x, t, new DiTConditioning { Text = tokens });
        var uncond = model.Forward(x, t, new DiTConditioning { TextEmbedding = model.NullTextEmbedding(5) });
        var guided = ClassifierFreeGuidance.Wrap(model.AsConditionalModel(), model.EncodeText(tokens), model.NullTextEmbedding(5), new GuidanceConfig(3.0))(x, t);
        // One batch of 4 against two batches of 2: equal up to float rounding (BLAS blocks differ with the batch).
        var expected = uncond + (cond - uncond) * 3.0;
        double scale = expected.Abs().Max().Item<double>();
        Assert.True(guided.AllClose(expected, 1e-3, 1e-4 * scale), $"max difference {DiTTestKit.MaxAbsDiff(guided, expected)} at scale {scale}");
        Assert.True(DiTTestKit.Same(model.AsDiffusionModel(new DiTConditioning { Text = tokens })(x, t), cond));
    }

    [Fact]
    public void ReferenceFramesAreReadOnlyWhereTheMaskIsSet()
    {
        using var model = DiTTestKit.Model(DiTTestKit.Small() with { FrameConditioning = true });
        DiTTestKit.Randomize(model);
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var x = Tensor.Randn([1, 4, 3, 4, 4]);
        var t = Tensor.From([0.5f]);
        var reference = Tensor.Randn([1, 4, 3, 4, 4]);
        var changedLater = reference.Clone();
        changedLater[.., .., 1..].Copy_(Tensor.Randn([1, 4, 2, 4, 4]));             // frames 1, 2 are not given
        var changedFirst = reference.Clone();
        changedFirst[.., .., 0].Copy_(Tensor.Randn([1, 4, 4, 4]));
        var baseline = model.Forward(x, t, new DiTConditioning().WithReferenceFrames(reference, 0));
        Assert.True(DiTTestKit.Same(baseline, model.Forward(x, t, new DiTConditioning().WithReferenceFrames(changedLater, 0))));
        Assert.True(DiTTestKit.MaxAbsDiff(baseline, model.Forward(x, t, new DiTConditioning().WithReferenceFrames(changedFirst, 0))) > 1e-3);
        // Image-to-video: the image as frame 0 is the same conditioning as the clip's frame 0.
        var i2v = model.Forward(x, t, new DiTConditioning().WithFirstFrame(reference[.., .., ..1], 3));
        Assert.True(baseline.AllClose(i2v, 0, 0));
        // No reference at all differs from a given one.
        Assert.True(DiTTestKit.MaxAbsDiff(baseline, model.Forward(x, t)) > 1e-3);
    }

    [Fact]
    public void ContinuousTimesEmbedAsTheirScaledSinusoids()
    {
        using var scope = DisposeScope.Enter();
        var e = TimestepEmbedder.Sinusoidal(Tensor.From([0.25f * 1000]));           // (1, 256)
        double f5 = Math.Pow(10000, -5.0 / 128);
        Assert.Equal(Math.Cos(250 * f5), e[0, 5].Item<double>(), 4);
        Assert.Equal(Math.Sin(250 * f5), e[0, 128 + 5].Item<double>(), 4);

        using var model = DiTTestKit.Model(DiTTestKit.Small());
        DiTTestKit.Randomize(model);
        using var noGrad = new NoGrad();
        var x = Tensor.Randn([2, 4, 2, 4, 4]);
        var one = model.Forward(x, Tensor.FromScalar(0.37f));
        Assert.True(DiTTestKit.Same(one, model.Forward(x, Tensor.From([0.37f, 0.37f]))));
        Assert.True(DiTTestKit.MaxAbsDiff(one, model.Forward(x, Tensor.From([0.38f, 0.37f]))) > 1e-4);
    }

    [Fact]
    public void WithRopeOnlyRelativePositionsMatterSoShiftingTheGridChangesNothing()
    {
        // (Cross-attention text carries no positions on either side; joint text tokens would, by having none against
        // rotated video tokens, make q·k depend on the video token's absolute position.)
        using var rope = DiTTestKit.Model(DiTTestKit.Small(AttentionLayout.Joint, TextConditioning.CrossAttention));
        using var sincos = DiTTestKit.Model(DiTTestKit.Small(AttentionLayout.Joint) with { Positions = PositionEncoding.SinCos });
        DiTTestKit.Randomize(rope);
        DiTTestKit.Randomize(sincos);
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var x = Tensor.Randn([1, 4, 3, 4, 4]);
        var t = Tensor.From([0.5f]);
        var shifted = new DiTConditioning { PositionOffset = (7.5, -3, 11) };
        Assert.True(rope.Forward(x, t).AllClose(rope.Forward(x, t, shifted), 1e-3, 1e-4));
        Assert.True(DiTTestKit.MaxAbsDiff(sincos.Forward(x, t), sincos.Forward(x, t, shifted)) > 1e-3);
        // A different frame spacing (another frame rate) is a different relative geometry.
        Assert.True(DiTTestKit.MaxAbsDiff(rope.Forward(x, t), rope.Forward(x, t, new DiTConditioning { PositionStep = (0.5, 1, 1) })) > 1e-4);
    }

    [Fact]
    public void PresetsHaveDiTsStandardSizes()
    {
        Assert.Equal((384, 12, 6), (DiTConfig.S.Hidden, DiTConfig.S.Depth, DiTConfig.S.Heads));
        Assert.Equal((768, 12, 12), (DiTConfig.B.Hidden, DiTConfig.B.Depth, DiTConfig.B.Heads));
        Assert.Equal((1024, 24, 16), (DiTConfig.L.Hidden, DiTConfig.L.Depth, DiTConfig.L.Heads));
        Assert.All(DiTConfig.Presets.Values, c => { Assert.Equal(4, c.MlpRatio); c.Validate(); });
        Assert.Same(DiTConfig.Presets["tiny"].GetType(), typeof(DiTConfig));
        Assert.Equal(DiTConfig.B, DiTConfig.Presets["b"]);
    }
}
