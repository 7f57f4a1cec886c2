using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Models.Attention;

/// <summary>
/// Full attention over all T·H·W spacetime tokens (Sora, CogVideoX): every token reads every other, so
/// motion and identity are modelled jointly, at a cost quadratic in the clip's token count, N².
/// </summary>
public sealed class JointAttention : SpacetimeAttention
{
    private readonly MultiheadAttention _attn;

    public JointAttention(int blockIndex, int dim, int heads, bool qkNorm) : base(blockIndex) =>
        _attn = new MultiheadAttention(dim, heads, qkNorm);

    public override AttentionLayout Layout => AttentionLayout.Joint;
    public override IReadOnlyList<string> Stages => ["joint"];
    public override IReadOnlyList<(string Name, MultiheadAttention Attention)> Modules => [("attn", _attn)];
    public MultiheadAttention Attn => _attn;

    protected override (Tensor Video, Tensor? Text) Attend(Tensor x, SpacetimeGrid grid, RopeTables? rope, JointText? text, AttentionProbe? probe)
    {
        using var scope = DisposeScope.Enter();
        var (q, k, v) = Project(_attn, x, rope);                                     // (B, heads, N, hd)
        Record(probe, "joint", grid, q, k, i => Allowed(grid, i, (_, _) => true), text);
        var attended = AttendGroups(q, k, v, text);                                 // (B, heads, N, hd)
        var textOut = AttendText(text, k, v, TextReadsVideo);                       // (B, heads, L, hd)
        return (scope.Keep(_attn.Output(attended)), textOut is null ? null : scope.Keep(textOut));
    }
}
