using Workbench.Torch;

namespace Workbench.NN;

/// <summary>
/// Multi-head self-attention over tokens (B, N, D), as in DiT/timm (keys qkv, proj, and q_norm/k_norm
/// with QK-norm): fused attention on libtorch 2.x; the attention weights on request, for attention maps.
/// </summary>
public sealed class MultiheadAttention : Module
{
    private readonly Linear _qkv, _proj;
    private readonly RMSNorm? _qNorm, _kNorm;

    public int Dim { get; }
    public int Heads { get; }
    public int HeadDim => Dim / Heads;

    public MultiheadAttention(int dim, int heads, bool qkNorm = false, bool bias = true)
    {
        if (dim % heads != 0) throw new ArgumentException($"attention: dim {dim} is not divisible by {heads} heads");
        (Dim, Heads) = (dim, heads);
        _qkv = RegisterModule("qkv", new Linear(dim, 3 * dim, bias));
        if (qkNorm)
        {
            _qNorm = RegisterModule("q_norm", new RMSNorm(dim / heads));
            _kNorm = RegisterModule("k_norm", new RMSNorm(dim / heads));
        }
        _proj = RegisterModule("proj", new Linear(dim, dim));
    }

    /// <summary>Splits (B, N, 3D) projections into q, k, v of shape (B, heads, N, head_dim), QK-normalised.</summary>
    public (Tensor Q, Tensor K, Tensor V) Project(Tensor x)
    {
        long b = x.Size(0), n = x.Size(1);
        var qkv = _qkv.Forward(x).Reshape(b, n, 3, Heads, HeadDim).Permute(2, 0, 3, 1, 4); // (3, B, H, N, hd)
        Tensor q = qkv[0], k = qkv[1], v = qkv[2];
        if (_qNorm is not null) q = _qNorm.Forward(q);
        if (_kNorm is not null) k = _kNorm!.Forward(k);
        return (q, k, v);
    }

    /// <summary>Mixes heads back: (B, heads, N, head_dim) → (B, N, D) through the output projection.</summary>
    public Tensor Output(Tensor attended)
    {
        long b = attended.Size(0), n = attended.Size(2);
        return _proj.Forward(attended.Transpose(1, 2).Reshape(b, n, Dim));
    }

    public Tensor Forward(Tensor x, Tensor? mask = null, bool causal = false)
    {
        if (x.Rank != 3 || x.Size(2) != Dim) throw new ArgumentException($"attention expects (B, N, {Dim}), got {Tensor.FormatShape(x.Shape)}");
        using var scope = DisposeScope.Enter();
        var (q, k, v) = Project(x);
        var attended = F.ScaledDotProductAttention(q, k, v, mask, isCausal: causal);
        return scope.Keep(Output(attended));
    }

    /// <summary>The output and the attention weights (B, heads, N, N), for attention-map views.</summary>
    public (Tensor Output, Tensor Weights) ForwardWithWeights(Tensor x, Tensor? mask = null, bool causal = false)
    {
        using var scope = DisposeScope.Enter();
        var (q, k, v) = Project(x);
        var (attended, weights) = F.ScaledDotProductAttentionWithWeights(q, k, v, mask, isCausal: causal);
        return (scope.Keep(Output(attended)), scope.Keep(weights));
    }

    public override string Describe() => $"MultiheadAttention(dim {Dim}, {Heads} heads{(_qNorm is null ? "" : ", QK-norm")})";
}
