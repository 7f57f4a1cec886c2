using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Models.Attention;

/// <summary>
/// Spatial blocks and temporal blocks alternate (Latte variant 1): even blocks attend within each frame,
/// odd blocks along each spatial position through time. Per pair of blocks the cost is that of one
/// factorized block, with half the attention weights.
/// </summary>
public sealed class AlternatingAttention : SpacetimeAttention
{
    private readonly MultiheadAttention _attn;

    public AlternatingAttention(int blockIndex, int dim, int heads, bool qkNorm) : base(blockIndex) =>
        _attn = new MultiheadAttention(dim, heads, qkNorm);

    /// <summary>True on odd blocks, which attend through time.</summary>
    public bool IsTemporal => BlockIndex % 2 == 1;
    public override AttentionLayout Layout => AttentionLayout.Alternating;
    public override IReadOnlyList<string> Stages => [IsTemporal ? "temporal" : "spatial"];
    public override IReadOnlyList<(string Name, MultiheadAttention Attention)> Modules => [("attn", _attn)];
    public MultiheadAttention Attn => _attn;

    protected override (Tensor Video, Tensor? Text) Attend(Tensor x, SpacetimeGrid grid, RopeTables? rope, JointText? text, AttentionProbe? probe)
    {
        using var scope = DisposeScope.Enter();
        var (q, k, v) = Project(_attn, x, rope);                                     // (B, heads, N, hd)
        Tensor attended;
        if (IsTemporal)
        {
            Record(probe, "temporal", grid, q, k, i => Allowed(grid, i, (a, b) => a.H == b.H && a.W == b.W), text);
            attended = FromTracks(AttendGroups(ToTracks(q, grid), ToTracks(k, grid), ToTracks(v, grid), text), grid);
        }
        else
        {
            Record(probe, "spatial", grid, q, k, i => Allowed(grid, i, (a, b) => a.T == b.T), text);
            attended = FromFrames(AttendGroups(ToFrames(q, grid), ToFrames(k, grid), ToFrames(v, grid), text), grid);
        }
        var textOut = AttendText(text, k, v, TextReadsVideo);
        return (scope.Keep(_attn.Output(attended)), textOut is null ? null : scope.Keep(textOut)); // (B, N, D)
    }
}
