using Workbench.Models.Attention;

namespace Workbench.Models.Tests;

public class DiTCostTests
{
    public static TheoryData<AttentionLayout, TextConditioning, Modulation, bool, bool> Variants()
    {
        var data = new TheoryData<AttentionLayout, TextConditioning, Modulation, bool, bool>();
        foreach (var layout in new[] { AttentionLayout.Joint, AttentionLayout.Factorized })
            foreach (var text in Enum.GetValues<TextConditioning>())
                foreach (var modulation in Enum.GetValues<Modulation>())
                    foreach (bool frames in new[] { false, true })
                        data.Add(layout, text, modulation, frames, frames);            // QK-norm with frame conditioning, to keep the list short
        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void TheParameterFormulaCountsWhatTheModelAllocates(AttentionLayout layout, TextConditioning text, Modulation modulation, bool frames, bool qkNorm)
    {
        var config = DiTTestKit.Small(layout, text) with { Modulation = modulation, FrameConditioning = frames, QkNorm = qkNorm, Depth = 3, Patch = (2, 2, 1) };
        using var model = DiTTestKit.Model(config);
        Assert.Equal(model.ParameterCount, DiTCost.Parameters(config));
    }

    // The tokens a weight matrix is applied to, per sample, read off its name: N video tokens, L text tokens, or once.
    private static long TokensFor(string name, long n, long l)
    {
        if (name.StartsWith("t_embedder.") || name.StartsWith("t_block") || name.Contains("adaLN_modulation")) return 1;
        if (name.StartsWith("text_encoder.") || name.Contains("kv_linear") || name.Contains(".text_")) return l;
        return n;
    }

    // 2 · tokens · weight elements over every weight matrix and the patch-embedding kernel (embedding tables do no products).
    private static double LinearFlopsFromShapes(SpacetimeDiT model, long n, long l, long batch) =>
        model.NamedParameters()
            .Where(p => p.Parameter.Shape.Length >= 2 && !p.Name.Contains("embedding") && !p.Name.Contains("scale_shift_table"))
            .Sum(p => 2.0 * batch * TokensFor(p.Name, n, l) * p.Parameter.NumEl);

    [Theory]
    // Latent 3×4×4, patch (1, 2, 2): T = 3, S = 2·2 = 4, N = 12 tokens; L = 6 text tokens; D = 32, D_text = 16, depth 2.
    [InlineData(AttentionLayout.Joint, TextConditioning.None, Modulation.AdaLNZero, 2 * 144, 2 * 144 * 128)]
    // spatial 3·4² = 48 + temporal 4·3² = 36, cross 12·6 = 72 per block; encoder 6² = 36 (at 4·16 per pair).
    [InlineData(AttentionLayout.Factorized, TextConditioning.CrossAttention, Modulation.AdaLNZero, 2 * (48 + 36 + 72) + 36, 2 * (48 + 36 + 72) * 128 + 36 * 64)]
    // windows 2×2×2: block 0 t-windows {0,1},{2} → (2² + 1²)·4²·... = 5·4·4 = 80; block 1 shifted {0},{1,2} → 80; video→text 72 per block;
    // text queries of block 0 read text + video 6·18 = 108 (the last block has none); encoder 36.
    [InlineData(AttentionLayout.Windowed, TextConditioning.Joint, Modulation.AdaLNSingle, 2 * (80 + 72) + 108 + 36, (2 * (80 + 72) + 108) * 128 + 36 * 64)]
    // causal 4²·(1 + 2 + 3) = 96, video→text 72 per block; block 0's text queries read only text (6²); encoder 36.
    [InlineData(AttentionLayout.CausalTemporal, TextConditioning.Joint, Modulation.AdaLNZero, 2 * (96 + 72) + 36 + 36, (2 * (96 + 72) + 36) * 128 + 36 * 64)]
    // block 0 spatial 48, block 1 temporal 36, cross 72 each; encoder 36.
    [InlineData(AttentionLayout.Alternating, TextConditioning.CrossAttention, Modulation.AdaLNSingle, 48 + 36 + 2 * 72 + 36, (48 + 36 + 2 * 72) * 128 + 36 * 64)]
    public void TheFlopEstimateMatchesACountFromTheLayerShapes(AttentionLayout layout, TextConditioning text, Modulation modulation, double pairs, double attentionFlopsPerSample)
    {
        var config = DiTTestKit.Small(layout, text) with { Modulation = modulation, FrameConditioning = true };
        using var model = DiTTestKit.Model(config);
        const long batch = 3, n = 12, l = 6;
        var estimate = DiTCost.Estimate(config, 3, 4, 4, batch);
        Assert.Equal(text == TextConditioning.None ? 0 : l, estimate.TextTokens);
        Assert.Equal(LinearFlopsFromShapes(model, n, estimate.TextTokens, batch), estimate.LinearFlops, 1e-9 * estimate.LinearFlops);
        Assert.Equal(batch * pairs, estimate.AttentionPairs);
        Assert.Equal(batch * attentionFlopsPerSample, estimate.AttentionFlops);
        Assert.Equal(3 * (estimate.LinearFlops + estimate.AttentionFlops), estimate.TrainingFlops);
        Assert.Equal(model.ParameterCount, estimate.Parameters);
    }

    [Fact]
    public void JointAttentionCostsTsOverSPlusTTimesFactorized()
    {
        // The Design's GPU shape: 8 latent frames... here 16 frames × 16×16 tokens (latent 16×32×32, patch 1×2×2).
        var b = DiTConfig.B with { Text = TextConditioning.None };
        var joint = DiTCost.Estimate(b, 16, 32, 32);
        var factorized = DiTCost.Estimate(b with { Attention = AttentionLayout.Factorized }, 16, 32, 32);
        double t = 16, s = 256;
        Assert.Equal(t * s / (s + t), joint.AttentionFlops / factorized.AttentionFlops, 9);
        // Per block the factorized layout adds one set of qkv/proj projections (4·D² per token) and nothing else.
        Assert.Equal(b.Depth * 2.0 * t * s * 4 * b.Hidden * b.Hidden, factorized.LinearFlops - joint.LinearFlops, 1e-6);
        var all = DiTCost.CompareLayouts(b, 16, 32, 32).ToDictionary(e => e.Config.Attention, e => e.AttentionFlops);
        Assert.True(all[AttentionLayout.Joint] > all[AttentionLayout.CausalTemporal]);
        Assert.True(all[AttentionLayout.CausalTemporal] > all[AttentionLayout.Factorized]);
        Assert.Equal(all[AttentionLayout.Factorized] / 2, all[AttentionLayout.Alternating]);     // half the blocks of each kind
        Assert.Equal(all[AttentionLayout.Joint] / t, all[AttentionLayout.SpatialOnly]);        // T frames of S² instead of (T·S)²
        Assert.True(all[AttentionLayout.Factorized] > all[AttentionLayout.Windowed]);
    }

    [Fact]
    public void StoredScoreMatricesAreHeadsTimesPairsElementsPerStage()
    {
        var config = DiTTestKit.Small(AttentionLayout.Factorized);
        var fused = DiTCost.Estimate(config, 3, 4, 4, batch: 2, bytesPerElement: 4, fusedAttention: true);
        var composite = DiTCost.Estimate(config, 3, 4, 4, batch: 2, bytesPerElement: 4, fusedAttention: false);
        // Fused kernels keep one log-sum-exp per query and head (N); the composite keeps the softmax (pairs).
        double perBlock = config.Heads * ((48 - 12) + (36 - 12));
        Assert.Equal(4.0 * 2 * config.Depth * perBlock, composite.ActivationBytes - fused.ActivationBytes);
        Assert.True(fused.ActivationBytes > 0);
        var bigger = DiTCost.Estimate(config, 6, 4, 4, batch: 2, bytesPerElement: 4, fusedAttention: true);
        Assert.True(bigger.ActivationBytes > fused.ActivationBytes);
    }

    [Fact]
    public void AnEstimateForAShapeThePatchDoesNotDivideIsRefused()
    {
        Assert.Throws<ArgumentException>(() => DiTCost.Estimate(DiTConfig.Tiny, 5, 7, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => DiTCost.Estimate(DiTConfig.Tiny, 5, 8, 8, textTokens: 1000));
    }
}
