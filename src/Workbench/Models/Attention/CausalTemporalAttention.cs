using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Models.Attention;

/// <summary>
/// Full spacetime attention with a block-causal mask over frames: a token sees every token of its own frame
/// and of earlier frames, none of later ones (autoregressive extension: CausVid, MAGI-1), so a clip can be
/// continued without the past changing. Allowed pairs (H·W)²·T(T+1)/2; run here as a dense masked
/// attention, which still computes all N² scores. Text queries read only the text, which would otherwise
/// carry the future into the past.
/// </summary>
public sealed class CausalTemporalAttention : SpacetimeAttention
{
    private readonly MultiheadAttention _attn;

    public CausalTemporalAttention(int blockIndex, int dim, int heads, bool qkNorm) : base(blockIndex) =>
        _attn = new MultiheadAttention(dim, heads, qkNorm);

    public override AttentionLayout Layout => AttentionLayout.CausalTemporal;
    public override IReadOnlyList<string> Stages => ["causal"];
    public override IReadOnlyList<(string Name, MultiheadAttention Attention)> Modules => [("attn", _attn)];
    public override bool TextReadsVideo => false;
    /// <summary>False: a merged pair would let its earlier frame read the later one.</summary>
    public override bool SupportsTokenMerging => false;
    public MultiheadAttention Attn => _attn;

    /// <summary>(N, N) bool: query i may read key j when frame(j) ≤ frame(i).</summary>
    public static Tensor FrameCausalMask(SpacetimeGrid grid, Device? device = null)
    {
        using var scope = DisposeScope.Enter();
        var frames = Tensor.Arange(grid.T, device: device);                         // (T)
        var allowed = frames.Unsqueeze(1) >= frames.Unsqueeze(0);                   // (T_q, T_k)
        var s = grid.FrameTokens;
        return scope.Keep(allowed.Reshape(grid.T, 1, grid.T, 1).Expand(grid.T, s, grid.T, s).Reshape(grid.Tokens, grid.Tokens));
    }

    protected override (Tensor Video, Tensor? Text) Attend(Tensor x, SpacetimeGrid grid, RopeTables? rope, JointText? text, AttentionProbe? probe)
    {
        using var scope = DisposeScope.Enter();
        var (q, k, v) = Project(_attn, x, rope);                                     // (B, heads, N, hd)
        Record(probe, "causal", grid, q, k, i => Allowed(grid, i, (a, b) => b.T <= a.T), text);
        var mask = grid.T > 1 ? FrameCausalMask(grid, x.Device) : null;             // (N, N)
        var attended = AttendGroups(q, k, v, text, mask);                           // (B, heads, N, hd)
        var textOut = AttendText(text, k, v, TextReadsVideo);
        return (scope.Keep(_attn.Output(attended)), textOut is null ? null : scope.Keep(textOut));
    }
}
