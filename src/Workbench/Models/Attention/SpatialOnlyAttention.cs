using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Models.Attention;

/// <summary>
/// Attention within each frame only (an image model run frame by frame): no information crosses time,
/// so nothing ties one frame's sample to the next and the clip flickers. The baseline the other layouts
/// fix. Cost T·(H·W)². Text queries read only the text, which would otherwise carry frames into each other.
/// </summary>
public sealed class SpatialOnlyAttention : SpacetimeAttention
{
    private readonly MultiheadAttention _attn;

    public SpatialOnlyAttention(int blockIndex, int dim, int heads, bool qkNorm) : base(blockIndex) =>
        _attn = new MultiheadAttention(dim, heads, qkNorm);

    public override AttentionLayout Layout => AttentionLayout.SpatialOnly;
    public override IReadOnlyList<string> Stages => ["spatial"];
    public override IReadOnlyList<(string Name, MultiheadAttention Attention)> Modules => [("attn", _attn)];
    public override bool TextReadsVideo => false;
    /// <summary>False: frames must never mix.</summary>
    public override bool SupportsTokenMerging => false;
    public MultiheadAttention Attn => _attn;

    protected override (Tensor Video, Tensor? Text) Attend(Tensor x, SpacetimeGrid grid, RopeTables? rope, JointText? text, AttentionProbe? probe)
    {
        using var scope = DisposeScope.Enter();
        var (q, k, v) = Project(_attn, x, rope);                                     // (B, heads, N, hd)
        Record(probe, "spatial", grid, q, k, i => Allowed(grid, i, (a, b) => a.T == b.T), text);
        var attended = AttendGroups(ToFrames(q, grid), ToFrames(k, grid), ToFrames(v, grid), text); // (B·T, heads, H·W, hd)
        var textOut = AttendText(text, k, v, TextReadsVideo);
        return (scope.Keep(_attn.Output(FromFrames(attended, grid))), textOut is null ? null : scope.Keep(textOut));
    }
}
