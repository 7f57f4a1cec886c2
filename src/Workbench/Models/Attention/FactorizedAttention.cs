using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Models.Attention;

/// <summary>
/// Spatial attention within each frame, then temporal attention along each spatial position, both in every
/// block (Open-Sora's STDiT, Latte variant 3): for input u, s = spatial(u), output s + temporal(u + s).
/// Two tokens of different frames and positions meet in two hops. Cost T·(H·W)² + H·W·T² instead of (T·H·W)².
/// The temporal stage has its own weights, <c>attn_temp</c> (STDiT's name).
/// </summary>
public sealed class FactorizedAttention : SpacetimeAttention
{
    private readonly MultiheadAttention _spatial, _temporal;

    public FactorizedAttention(int blockIndex, int dim, int heads, bool qkNorm) : base(blockIndex)
    {
        _spatial = new MultiheadAttention(dim, heads, qkNorm);
        _temporal = new MultiheadAttention(dim, heads, qkNorm);
    }

    public override AttentionLayout Layout => AttentionLayout.Factorized;
    public override IReadOnlyList<string> Stages => ["spatial", "temporal"];
    public override IReadOnlyList<(string Name, MultiheadAttention Attention)> Modules => [("attn", _spatial), ("attn_temp", _temporal)];
    public MultiheadAttention Spatial => _spatial;
    public MultiheadAttention Temporal => _temporal;

    protected override (Tensor Video, Tensor? Text) Attend(Tensor x, SpacetimeGrid grid, RopeTables? rope, JointText? text, AttentionProbe? probe)
    {
        using var scope = DisposeScope.Enter();
        var (q, k, v) = Project(_spatial, x, rope);                                  // (B, heads, N, hd)
        Record(probe, "spatial", grid, q, k, i => Allowed(grid, i, (a, b) => a.T == b.T), text);
        var spatial = _spatial.Output(FromFrames(AttendGroups(ToFrames(q, grid), ToFrames(k, grid), ToFrames(v, grid), text), grid)); // (B, N, D)
        var textOut = AttendText(text, k, v, TextReadsVideo);

        var (qt, kt, vt) = Project(_temporal, x + spatial, rope);                     // (B, heads, N, hd)
        Record(probe, "temporal", grid, qt, kt, i => Allowed(grid, i, (a, b) => a.H == b.H && a.W == b.W), text);
        var temporal = _temporal.Output(FromTracks(AttendGroups(ToTracks(qt, grid), ToTracks(kt, grid), ToTracks(vt, grid), text), grid));
        return (scope.Keep(spatial + temporal), textOut is null ? null : scope.Keep(textOut)); // (B, N, D)
    }
}
