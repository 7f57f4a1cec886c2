using Workbench.Models.Attention;

namespace Workbench.Models;

/// <summary>
/// Cost of one <see cref="SpacetimeDiT"/> forward pass on a latent of T × H × W (batch B), counted from the
/// layer shapes. FLOPs count matrix products only (2 per multiply-add): linear layers, the patch-embedding
/// convolution, QKᵀ and attention·V (4·D per query-key pair: 2·D each, over all heads); norms, softmax,
/// GELU and RoPE are left out. Attention pairs are the ones the layout allows (a block-sparse kernel's work;
/// the dense-mask CausalTemporal run here computes all N²). Training ≈ 3 × forward (backward ≈ 2 × forward).
/// Activation memory is an estimate of what a training step keeps for the backward pass (see docs/dit.md).
/// </summary>
public sealed record DiTCostEstimate(DiTConfig Config, SpacetimeGrid Grid, long Batch, long TextTokens,
    long Parameters, double LinearFlops, double AttentionFlops, double AttentionPairs, double ActivationBytes)
{
    /// <summary>Temporal token merging the estimate assumes (null: none).</summary>
    public TokenMerging? TokenMerging { get; init; }
    public double ForwardFlops => LinearFlops + AttentionFlops;
    public double TrainingFlops => 3 * ForwardFlops;
    /// <summary>Share of the forward FLOPs spent in QKᵀ and attention·V.</summary>
    public double AttentionShare => AttentionFlops / ForwardFlops;
    public override string ToString() =>
        $"{Config.Attention}: {Grid} ×{Batch}: {ForwardFlops / 1e9:F2} GFLOP forward ({AttentionShare:P0} attention), {ActivationBytes / (1 << 20):F1} MiB activations";
}

public static class DiTCost
{
    /// <summary>
    /// The cost of a forward pass over a latent of <paramref name="frames"/> × <paramref name="height"/> × <paramref name="width"/>
    /// at batch <paramref name="batch"/>, with <paramref name="textTokens"/> text tokens (default: MaxTextLength when the
    /// model has text), activations of <paramref name="bytesPerElement"/> bytes (2: bf16), and fused attention (no
    /// stored score matrices) or not. With <paramref name="merging"/> the attention stages (and the cross-attention's
    /// queries, if its settings say so) run on ⌈T/2⌉ merged frames (<see cref="FramePairs"/>).
    /// </summary>
    public static DiTCostEstimate Estimate(DiTConfig c, long frames, long height, long width, long batch = 1,
        long? textTokens = null, int bytesPerElement = 2, bool fusedAttention = true, TokenMerging? merging = null)
    {
        c.Validate();
        var grid = c.Grid(frames, height, width);
        if (merging is not null && c.Attention is AttentionLayout.SpatialOnly or AttentionLayout.CausalTemporal)
            throw new ArgumentException($"token merging is not available with the {c.Attention} layout", nameof(merging));
        bool merged = merging is not null && grid.T > 1;
        var attentionGrid = merged ? new SpacetimeGrid(FramePairs.MergedFrames(grid.T), grid.H, grid.W) : grid;
        double na = attentionGrid.Tokens, nc = merged && merging!.CrossAttention ? na : grid.Tokens; // self- and cross-attention tokens
        bool hasText = c.Text != TextConditioning.None;
        long l = hasText ? textTokens ?? c.MaxTextLength : 0;
        if (l < 0 || (hasText && l > c.MaxTextLength)) throw new ArgumentOutOfRangeException(nameof(textTokens), $"text tokens must be in [0, {c.MaxTextLength}], got {l}");
        double n = grid.Tokens, d = c.Hidden, dt = c.TextHidden, f = c.MlpHidden, ft = c.TextMlpHidden, heads = c.Heads;
        double p = c.PatchVolume;
        double linear = 0, pairs = 0, pairFlops = 0, act = 0; // per sample

        // Embeddings and the output layer.
        linear += 2 * n * c.EmbedChannels * p * d + 2 * (TimestepEmbedder.FrequencyDim * d + d * d) + 2 * n * d * p * c.InChannels;
        act += n * (c.EmbedChannels * p + 2 * d + p * c.InChannels);
        if (c.Modulation == Modulation.AdaLNZero) linear += 2 * d * 2 * d;
        else linear += 2 * d * 6 * d + (c.Text == TextConditioning.Joint ? 2 * d * 6 * dt : 0);

        if (hasText) // the text encoder
        {
            linear += c.TextDepth * (2 * l * dt * 3 * dt + 2 * l * dt * dt + 4 * l * dt * ft);
            pairs += c.TextDepth * l * l;
            pairFlops += c.TextDepth * l * l * 4 * dt;
            act += c.TextDepth * (l * (9 * dt + 2 * ft) + c.TextHeads * (fusedAttention ? l : l * l));
        }

        for (int i = 0; i < c.Depth; i++)
        {
            bool readsVideo = c.Attention is not (AttentionLayout.SpatialOnly or AttentionLayout.CausalTemporal);
            bool joint = c.Text == TextConditioning.Joint, textOut = joint && i < c.Depth - 1;
            if (c.Modulation == Modulation.AdaLNZero) linear += 2 * d * 6 * d + (joint ? 2 * d * (textOut ? 6 : 2) * dt : 0);
            act += n * (7 * d + 2 * f);                                              // x, norm1 out, gated attention, x2, norm2 out, MLP in, fc1, GELU, fc2
            // Saved per attention stage (units of D per token): its input, output and proj input (3); q, k, v as attention reads
            // them: grouped layouts copy them into groups (3), whole-sequence layouts read views of the qkv buffer, which
            // therefore stays (3), plus rotated q, k with RoPE (2); QK-norm keeps the buffer and the normed q, k (2).
            bool grouped = c.Attention is not (AttentionLayout.Joint or AttentionLayout.CausalTemporal);
            bool rope = c.Positions == PositionEncoding.Rope3d;
            double stageActivations = 3 + (!grouped || c.QkNorm ? 3 : 0) + (c.QkNorm ? 2 : 0) + (grouped ? 3 : rope ? 2 : 0);
            linear += 4 * n * d * f;                                                 // MLP
            foreach (var stagePairsVideo in StagePairs(c, attentionGrid, i))
            {
                double stagePairs = stagePairsVideo + (joint ? na * l : 0);
                linear += 2 * na * d * 3 * d + 2 * na * d * d;                       // qkv, proj
                pairs += stagePairs;
                pairFlops += stagePairs * 4 * d;
                act += na * stageActivations * d + heads * (fusedAttention ? na : stagePairs);
            }
            if (c.Text == TextConditioning.CrossAttention)
            {
                linear += 2 * nc * d * d + 2 * l * dt * 2 * d + 2 * nc * d * d;      // q, kv, proj
                pairs += nc * l;
                pairFlops += nc * l * 4 * d;
                act += nc * 4 * d + l * 2 * d + heads * (fusedAttention ? nc : nc * l);
            }
            if (joint)
            {
                linear += 2 * l * dt * 3 * d;                                        // text qkv
                act += l * (dt + 3 * d);
                if (textOut)
                {
                    double textPairs = l * (l + (readsVideo ? na : 0));
                    linear += 2 * l * d * dt + 4 * l * dt * ft;                       // text proj, text MLP
                    pairs += textPairs;
                    pairFlops += textPairs * 4 * d;
                    act += l * (5 * dt + d + 2 * ft) + heads * (fusedAttention ? l : textPairs);
                }
            }
        }
        return new DiTCostEstimate(c, grid, batch, l, Parameters(c), batch * linear, batch * pairFlops, batch * pairs, (double)bytesPerElement * batch * act)
            { TokenMerging = merging };
    }

    /// <summary>Estimates for every layout, for the joint-vs-factorized comparison.</summary>
    public static IReadOnlyList<DiTCostEstimate> CompareLayouts(DiTConfig c, long frames, long height, long width, long batch = 1, bool fusedAttention = true) =>
        Enum.GetValues<AttentionLayout>().Select(a => Estimate(c with { Attention = a }, frames, height, width, batch, fusedAttention: fusedAttention)).ToList();

    /// <summary>
    /// Video query–key pairs (per sample) of each attention stage of block <paramref name="block"/>: N² joint,
    /// T·S² spatial, S·T² temporal (S = H·W tokens per frame), S²·T(T+1)/2 causal, Σ over windows of n_w² windowed.
    /// </summary>
    public static IReadOnlyList<double> StagePairs(DiTConfig c, SpacetimeGrid g, int block)
    {
        double t = g.T, s = g.FrameTokens, spatial = t * s * s, temporal = s * t * t;
        return c.Attention switch
        {
            AttentionLayout.Joint => [(t * s) * (t * s)],
            AttentionLayout.Factorized => [spatial, temporal],
            AttentionLayout.Alternating => [block % 2 == 0 ? spatial : temporal],
            AttentionLayout.SpatialOnly => [spatial],
            AttentionLayout.CausalTemporal => [s * s * t * (t + 1) / 2],
            AttentionLayout.Windowed => [WindowPairs(WindowAxis.For(g.T, c.Window.T, c.ShiftWindows && block % 2 == 1),
                WindowAxis.For(g.H, c.Window.H, c.ShiftWindows && block % 2 == 1), WindowAxis.For(g.W, c.Window.W, c.ShiftWindows && block % 2 == 1))],
            _ => throw new ArgumentOutOfRangeException(nameof(c), c.Attention, "unknown attention layout"),
        };
    }

    // Σ over 3D windows of (real tokens)², which factorises over the axes: Π_axis Σ_i c_i².
    private static double WindowPairs(params WindowAxis[] axes) =>
        axes.Aggregate(1.0, (acc, a) => acc * a.RealCounts().Sum(x => (double)x * x));

    /// <summary>The model's parameter count, from the config alone (no weights allocated).</summary>
    public static long Parameters(DiTConfig c)
    {
        long d = c.Hidden, dt = c.TextHidden, f = c.MlpHidden, ft = c.TextMlpHidden, hd = c.HeadDim, p = c.PatchVolume;
        long Lin(long i, long o) => i * o + o;
        bool single = c.Modulation == Modulation.AdaLNSingle, joint = c.Text == TextConditioning.Joint;
        long qkNorm = c.QkNorm ? 2 * hd : 0;
        long total = c.EmbedChannels * p * d + d                                    // x_embedder
            + Lin(TimestepEmbedder.FrequencyDim, d) + Lin(d, d)                       // t_embedder
            + Lin(d, p * c.InChannels) + (single ? 2 * d : Lin(d, 2 * d));             // final_layer
        if (single) total += Lin(d, 6 * d) + (joint ? Lin(d, 6 * dt) : 0);           // t_block, t_block_text
        if (c.Text != TextConditioning.None)
        {
            long layer = 2 * dt + Lin(dt, 3 * dt) + Lin(dt, dt) + 2 * dt + Lin(dt, ft) + Lin(ft, dt);
            total += (long)c.VocabSize * dt + 2L * c.MaxTextLength * dt + c.TextDepth * layer + 2 * dt; // encoder + y_embedding
        }
        long stages = c.Attention == AttentionLayout.Factorized ? 2 : 1;
        for (int i = 0; i < c.Depth; i++)
        {
            long block = stages * (Lin(d, 3 * d) + Lin(d, d) + qkNorm) + Lin(d, f) + Lin(f, d) + (single ? 6 * d : Lin(d, 6 * d));
            if (c.Text == TextConditioning.CrossAttention) block += Lin(d, d) + Lin(dt, 2 * d) + Lin(d, d) + qkNorm;
            if (joint)
            {
                bool textOut = i < c.Depth - 1;
                long mods = textOut ? 6 : 2;
                block += Lin(dt, 3 * d) + (c.QkNorm ? (textOut ? 2 : 1) * hd : 0) + (single ? mods * dt : Lin(d, mods * dt)); // the last block has no text queries
                if (textOut) block += Lin(d, dt) + Lin(dt, ft) + Lin(ft, dt);
            }
            total += block;
        }
        return total;
    }
}
