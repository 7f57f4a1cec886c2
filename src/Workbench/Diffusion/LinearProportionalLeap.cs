using Workbench.Torch;

namespace Workbench.Diffusion;

/// <summary>
/// Linear Proportional Leap (Kim et al. 2025, On-device Sora): late in a rectified-flow run the
/// trajectory is nearly straight, so once consecutive velocity predictions agree (cosine similarity of
/// the whole sample tensors above <paramref name="CosineThreshold"/>), the sampler leaps straight to t = 0
/// with the last velocity, x_0 = x_t − t·v, and skips the remaining model calls. No leap happens before
/// <paramref name="MinProgress"/> of the steps are done (the paper's code waits 14 of 30 steps).
/// </summary>
public sealed record LinearProportionalLeap(double CosineThreshold = 0.99, double MinProgress = 0.5)
{
    internal void Validate()
    {
        if (!(CosineThreshold > -1 && CosineThreshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(CosineThreshold), CosineThreshold, "the cosine threshold must be in (-1, 1]");
        if (!(MinProgress >= 0 && MinProgress <= 1))
            throw new ArgumentOutOfRangeException(nameof(MinProgress), MinProgress, "MinProgress must be a fraction of the steps in [0, 1]");
    }

    /// <summary>Cosine similarity of two tensors taken as flat vectors (0 when either is zero).</summary>
    public static double CosineSimilarity(Tensor a, Tensor b)
    {
        using var scope = DisposeScope.Enter();
        var values = Tensor.Stack([(a * b).Sum(), a.Norm(), b.Norm()]).To(DType.Float64).ToArray<double>(); // one read
        double dot = values[0], norms = values[1] * values[2];
        return norms > 0 ? dot / norms : 0;
    }
}
