using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Models.Attention;

/// <summary>Which spacetime tokens attend to which, inside each DiT block.</summary>
public enum AttentionLayout
{
    /// <summary>Full attention over all T·H·W tokens (Sora, CogVideoX).</summary>
    Joint,
    /// <summary>Spatial attention within each frame, then temporal attention along each position, in every block (Open-Sora STDiT, Latte variant 3).</summary>
    Factorized,
    /// <summary>Even blocks attend within frames, odd blocks along time (Latte variant 1).</summary>
    Alternating,
    /// <summary>Attention within each frame only; nothing crosses time (the flicker baseline).</summary>
    SpatialOnly,
    /// <summary>Full attention, but a token sees only its own and earlier frames (autoregressive extension).</summary>
    CausalTemporal,
    /// <summary>Attention within local 3D windows, shifted by half a window on odd blocks (Swin / Video Swin).</summary>
    Windowed,
}

/// <summary>
/// Text tokens that join the attention (MMDiT / CogVideoX / HunyuanVideo): keys and values every video query
/// also reads, and text queries (null when the block needs no text output) that read the text and, where the
/// layout allows (<see cref="ISpacetimeAttention.TextReadsVideo"/>), all video tokens. Each (B, heads, L, head_dim).
/// </summary>
public sealed record JointText(Tensor? Q, Tensor K, Tensor V);

/// <summary>
/// A request for attention weights: block <see cref="Block"/>, head <see cref="Head"/>, the query token at
/// <see cref="Query"/> (t, h, w) of the token grid. The forward pass appends one <see cref="AttentionMap"/>
/// per attention stage of that block to <see cref="Maps"/>; the caller disposes them.
/// </summary>
public sealed class AttentionProbe(int block, int head, (long T, long H, long W) query)
{
    public int Block { get; } = block;
    public int Head { get; } = head;
    public (long T, long H, long W) Query { get; } = query;
    public List<AttentionMap> Maps { get; } = [];
}

/// <summary>
/// The attention weights of one query token in one head and stage (batch B): over the video tokens as a
/// (B, T, H, W) map of the token grid (zero where the layout forbids), and over the text tokens (B, L) in
/// joint-text mode. Video and text weights together sum to one.
/// </summary>
public sealed record AttentionMap(int Block, int Head, (long T, long H, long W) Query, string Stage, Tensor Video, Tensor? Text) : IDisposable
{
    public void Dispose()
    {
        Video.Dispose();
        Text?.Dispose();
    }
}

/// <summary>
/// One attention layout of a DiT block. It owns one <see cref="MultiheadAttention"/> per stage, which the block
/// registers under <see cref="Modules"/>' names (<c>attn</c>, and <c>attn_temp</c> for the temporal stage of
/// Factorized, as in STDiT), so every layout with one stage has the same state-dict keys as DiT.
/// </summary>
public interface ISpacetimeAttention
{
    AttentionLayout Layout { get; }
    /// <summary>The block this layout serves (alternating and shifted layouts depend on it).</summary>
    int BlockIndex { get; }
    /// <summary>Stage names in order ("joint", "spatial", "temporal", "causal", "window").</summary>
    IReadOnlyList<string> Stages { get; }
    IReadOnlyList<(string Name, MultiheadAttention Attention)> Modules { get; }
    /// <summary>
    /// False when letting text queries read video would carry information across the layout's walls
    /// (SpatialOnly: between frames; CausalTemporal: from the future): then text queries read text only.
    /// </summary>
    bool TextReadsVideo { get; }
    /// <summary>
    /// False when averaging frames in pairs would break the layout's walls (SpatialOnly: frames must not mix;
    /// CausalTemporal: a pair's earlier frame would read its later one), so <see cref="TokenMerging"/> is refused.
    /// </summary>
    bool SupportsTokenMerging { get; }

    /// <summary>
    /// Attends over video tokens <paramref name="x"/> (B, T·H·W, D) of <paramref name="grid"/>, with RoPE tables
    /// (null for absolute positions) and optional joint text. Returns the video output (B, N, D) after the
    /// output projection, and the text attention result (B, heads, L, head_dim) when text queries were given.
    /// With <paramref name="merge"/> the layout runs on the merged frames and its video output is unmerged.
    /// </summary>
    (Tensor Video, Tensor? Text) Forward(Tensor x, SpacetimeGrid grid, RopeTables? rope, JointText? text = null, AttentionProbe? probe = null,
        FramePairs? merge = null);
}

/// <summary>Shared machinery of the layouts: projection with RoPE, grouping tokens, text keys, probes.</summary>
public abstract class SpacetimeAttention : ISpacetimeAttention
{
    protected SpacetimeAttention(int blockIndex) => BlockIndex = blockIndex;

    public abstract AttentionLayout Layout { get; }
    public int BlockIndex { get; }
    public abstract IReadOnlyList<string> Stages { get; }
    public abstract IReadOnlyList<(string Name, MultiheadAttention Attention)> Modules { get; }
    public virtual bool TextReadsVideo => true;
    public virtual bool SupportsTokenMerging => true;

    public (Tensor Video, Tensor? Text) Forward(Tensor x, SpacetimeGrid grid, RopeTables? rope, JointText? text = null, AttentionProbe? probe = null,
        FramePairs? merge = null)
    {
        if (merge is null) return Attend(x, grid, rope, text, probe);
        if (!SupportsTokenMerging) throw new NotSupportedException($"the {Layout} layout does not support token merging (merged frame pairs would cross its walls)");
        if (merge.Grid.Tokens != grid.Tokens) throw new ArgumentException($"the frame pairs were made for the {merge.Grid} grid, the tokens are of the {grid} grid", nameof(merge));
        if (probe is not null && probe.Block == BlockIndex)
            throw new NotSupportedException("attention maps are read on the full token grid: run the probed pass without token merging");
        using var scope = DisposeScope.Enter();
        var (video, textOut) = Attend(merge.Merge(x), merge.Merged, merge.Rope, text, null);  // (B, N', D)
        return (scope.Keep(merge.Unmerge(video)), textOut is null ? null : scope.Keep(textOut)); // (B, N, D)
    }

    /// <summary>The layout's attention over the tokens of <paramref name="grid"/> (what <see cref="Forward"/> runs, on merged frames or not).</summary>
    protected abstract (Tensor Video, Tensor? Text) Attend(Tensor x, SpacetimeGrid grid, RopeTables? rope, JointText? text, AttentionProbe? probe);

    /// <summary>The layout for block <paramref name="blockIndex"/> of a model with this attention config.</summary>
    public static ISpacetimeAttention Create(AttentionLayout layout, int blockIndex, int dim, int heads, bool qkNorm,
        (int T, int H, int W) window, bool shiftWindows) => layout switch
    {
        AttentionLayout.Joint => new JointAttention(blockIndex, dim, heads, qkNorm),
        AttentionLayout.Factorized => new FactorizedAttention(blockIndex, dim, heads, qkNorm),
        AttentionLayout.Alternating => new AlternatingAttention(blockIndex, dim, heads, qkNorm),
        AttentionLayout.SpatialOnly => new SpatialOnlyAttention(blockIndex, dim, heads, qkNorm),
        AttentionLayout.CausalTemporal => new CausalTemporalAttention(blockIndex, dim, heads, qkNorm),
        AttentionLayout.Windowed => new WindowedAttention(blockIndex, dim, heads, qkNorm, window, shiftWindows && blockIndex % 2 == 1),
        _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "unknown attention layout"),
    };

    /// <summary>q, k, v (B, heads, N, head_dim) of <paramref name="x"/>, QK-normalised, then rotated by RoPE.</summary>
    protected static (Tensor Q, Tensor K, Tensor V) Project(MultiheadAttention attn, Tensor x, RopeTables? rope)
    {
        var (q, k, v) = attn.Project(x);
        return rope is null ? (q, k, v) : (Rope3d.Apply(q, rope), Rope3d.Apply(k, rope), v);
    }

    // ---- groups: a layout that attends inside independent groups of tokens reshapes (B, heads, N, hd) to (B·G, heads, n, hd) ----

    /// <summary>(B, heads, T·S, hd) → (B·T, heads, S, hd): one group per frame.</summary>
    protected static Tensor ToFrames(Tensor x, SpacetimeGrid g)
    {
        long b = x.Size(0), heads = x.Size(1), hd = x.Size(3);
        return x.Reshape(b, heads, g.T, g.FrameTokens, hd).Permute(0, 2, 1, 3, 4).Reshape(b * g.T, heads, g.FrameTokens, hd);
    }

    protected static Tensor FromFrames(Tensor x, SpacetimeGrid g)
    {
        long heads = x.Size(1), hd = x.Size(3), b = x.Size(0) / g.T;
        return x.Reshape(b, g.T, heads, g.FrameTokens, hd).Permute(0, 2, 1, 3, 4).Reshape(b, heads, g.Tokens, hd);
    }

    /// <summary>(B, heads, T·S, hd) → (B·S, heads, T, hd): one group per spatial position (its track through time).</summary>
    protected static Tensor ToTracks(Tensor x, SpacetimeGrid g)
    {
        long b = x.Size(0), heads = x.Size(1), hd = x.Size(3);
        return x.Reshape(b, heads, g.T, g.FrameTokens, hd).Permute(0, 3, 1, 2, 4).Reshape(b * g.FrameTokens, heads, g.T, hd);
    }

    protected static Tensor FromTracks(Tensor x, SpacetimeGrid g)
    {
        long heads = x.Size(1), hd = x.Size(3), b = x.Size(0) / g.FrameTokens;
        return x.Reshape(b, g.FrameTokens, heads, g.T, hd).Permute(0, 2, 3, 1, 4).Reshape(b, heads, g.Tokens, hd);
    }

    /// <summary>
    /// Prepends the text keys (B, heads, L, hd) to grouped keys (B·G, heads, n, hd): every group's queries also
    /// read all text tokens.
    /// </summary>
    protected static Tensor WithText(Tensor grouped, Tensor? text)
    {
        if (text is null) return grouped.Alias();
        long b = text.Size(0), heads = text.Size(1), l = text.Size(2), hd = text.Size(3), groups = grouped.Size(0) / b;
        var repeated = text.Unsqueeze(1).Expand(b, groups, heads, l, hd).Reshape(b * groups, heads, l, hd);
        return Tensor.Cat([repeated, grouped], 2);                                 // (B·G, heads, L + n, hd)
    }

    /// <summary>A key mask (..., n) widened by L leading true columns for the text keys.</summary>
    protected static Tensor? MaskWithText(Tensor? mask, JointText? text)
    {
        if (mask is null || text is null) return mask?.Alias();
        var shape = mask.Shape;
        shape[^1] = text.K.Size(2);
        return Tensor.Cat([Tensor.Ones(shape, DType.Bool, mask.Device), mask], -1);
    }

    /// <summary>Attention inside groups: q, k, v (B·G, heads, n, hd) with optional text keys/values and a key mask.</summary>
    protected static Tensor AttendGroups(Tensor q, Tensor k, Tensor v, JointText? text, Tensor? mask = null)
    {
        using var scope = DisposeScope.Enter();
        var keys = WithText(k, text?.K);
        var values = WithText(v, text?.V);
        return scope.Keep(F.ScaledDotProductAttention(q, keys, values, MaskWithText(mask, text)));
    }

    /// <summary>
    /// Text queries (B, heads, L, hd) over the text keys and, when <paramref name="readVideo"/>, all video keys
    /// k, v (B, heads, N, hd). Null when the block asked for no text output.
    /// </summary>
    protected static Tensor? AttendText(JointText? text, Tensor k, Tensor v, bool readVideo)
    {
        if (text?.Q is null) return null;
        using var scope = DisposeScope.Enter();
        var keys = readVideo ? Tensor.Cat([text.K, k], 2) : text.K;
        var values = readVideo ? Tensor.Cat([text.V, v], 2) : text.V;
        return scope.Keep(F.ScaledDotProductAttention(text.Q, keys, values));
    }

    // ---- probes ----

    /// <summary>
    /// Records the weights of the probe's query in the probe's head, when the probe targets this block:
    /// softmax(q_i·kⱼ/√d) over the keys that <paramref name="allowed"/> (N, bool) lets query i read, plus the text
    /// keys. Computed for that one row through the same attention op, so it is the row the stage used.
    /// </summary>
    protected void Record(AttentionProbe? probe, string stage, SpacetimeGrid grid, Tensor q, Tensor k, Func<long, bool[]> allowed, JointText? text)
    {
        if (probe is null || probe.Block != BlockIndex) return;
        long heads = q.Size(1);
        if (probe.Head < 0 || probe.Head >= heads)
            throw new ArgumentOutOfRangeException(nameof(probe), $"probe head {probe.Head} is out of range for {heads} heads");
        long i = grid.Index(probe.Query.T, probe.Query.H, probe.Query.W);
        using var scope = DisposeScope.Enter();
        var qi = q.Narrow(1, probe.Head, 1).Narrow(2, i, 1);                         // (B, 1, 1, hd)
        var keys = k.Narrow(1, probe.Head, 1);                                      // (B, 1, N, hd)
        var mask = Tensor.From(allowed(i), [1, 1, 1, grid.Tokens], q.Device);       // (1, 1, 1, N)
        long l = 0;
        if (text is not null)
        {
            l = text.K.Size(2);
            keys = Tensor.Cat([text.K.Narrow(1, probe.Head, 1), keys], 2);         // (B, 1, L + N, hd)
            mask = Tensor.Cat([Tensor.Ones([1, 1, 1, l], DType.Bool, q.Device), mask], -1);
        }
        var (_, weights) = F.ScaledDotProductAttentionWithWeights(qi, keys, keys, mask);
        var row = weights.Reshape(q.Size(0), l + grid.Tokens).To(DType.Float32);   // (B, L + N)
        var video = row.Narrow(1, l, grid.Tokens).Reshape(q.Size(0), grid.T, grid.H, grid.W).Detach().DetachFromScope();
        var textWeights = text is null ? null : row.Narrow(1, 0, l).Contiguous().Detach().DetachFromScope();
        probe.Maps.Add(new AttentionMap(BlockIndex, probe.Head, probe.Query, stage, video, textWeights));
    }

    /// <summary>Which tokens query <paramref name="i"/> may read, by a predicate on grid coordinates.</summary>
    protected static bool[] Allowed(SpacetimeGrid grid, long i, Func<(long T, long H, long W), (long T, long H, long W), bool> sees)
    {
        var query = grid.Coordinates(i);
        var row = new bool[grid.Tokens];
        for (long j = 0; j < grid.Tokens; j++) row[j] = sees(query, grid.Coordinates(j));
        return row;
    }
}
