using Workbench.Torch;

namespace Workbench.NN;

/// <summary>A lookup table of vectors (torch.nn.Embedding), initialised N(0, 1).</summary>
public sealed class Embedding : Module
{
    public int Count { get; }
    public int Dim { get; }
    public Parameter Weight { get; }

    public Embedding(int count, int dim, double std = 1)
    {
        (Count, Dim) = (count, dim);
        Weight = RegisterParameter("weight", Init.Normal([count, dim], std));
    }

    public Tensor Forward(Tensor indices) => F.Embedding(indices, Weight);
    public override string Describe() => $"Embedding({Count}, {Dim})";
}

/// <summary>Dropout, active only in training mode.</summary>
public sealed class Dropout(double p) : Module
{
    public double P { get; } = p is >= 0 and < 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), $"dropout must be in [0, 1), got {p}");
    public Tensor Forward(Tensor x) => Training && P > 0 ? F.Dropout(x, P) : x.Alias();
    public override string Describe() => $"Dropout({P})";
}

/// <summary>The transformer MLP: fc1 → GELU (tanh) → fc2, as in DiT/ViT (timm's Mlp: keys fc1, fc2).</summary>
public sealed class Mlp : Module
{
    private readonly Linear _fc1, _fc2;

    public Mlp(int dim, int hidden, int? outDim = null)
    {
        _fc1 = RegisterModule("fc1", new Linear(dim, hidden));
        _fc2 = RegisterModule("fc2", new Linear(hidden, outDim ?? dim));
    }

    public Tensor Forward(Tensor x)
    {
        using var scope = DisposeScope.Enter();
        return scope.Keep(_fc2.Forward(F.Gelu(_fc1.Forward(x), tanhApproximation: true)));
    }

    public override string Describe() => $"Mlp({_fc1.InFeatures} → {_fc1.OutFeatures} → {_fc2.OutFeatures})";
}
