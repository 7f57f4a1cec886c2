using Workbench.Torch;

namespace Workbench.Metrics;

/// <summary>KID over random subsets: the mean of the per-subset unbiased MMD² estimates and their standard deviation.</summary>
public sealed record KidResult(double Value, double Std, int Subsets, int SubsetSize, int RealCount, int FakeCount)
{
    public override string ToString() => $"{Value:G6} ± {Std:G3} ({Subsets} subsets of {SubsetSize})";
}

/// <summary>
/// Kernel Inception/Video Distance (Bińkowski et al. 2018, "Demystifying MMD GANs"): the squared maximum mean
/// discrepancy between two feature sets under the cubic polynomial kernel k(x, y) = (xᵀy / d + 1)³, with the
/// unbiased estimator
/// <code>
/// MMD²ᵤ = Σ_{i≠j} k(xᵢ, xⱼ) / (m(m−1)) + Σ_{i≠j} k(yᵢ, yⱼ) / (m(m−1)) − 2 Σ_{i,j} k(xᵢ, yⱼ) / m²
/// </code>
/// averaged over random subsets of m = min(N_real, N_fake, 1000) rows drawn without replacement (as in
/// torch-fidelity and StyleGAN2-ADA's metrics; its expectation is exactly 0 when both sets come from one
/// distribution, at any N, which makes it better than FID/FVD for small samples). The standard deviation over
/// subsets (numpy's default ddof = 0, as torch-fidelity reports it) is returned beside it.
/// </summary>
public static class Kid
{
    public static KidResult Compute(double[,] real, double[,] fake, int subsets = 100, int maxSubsetSize = 1000, ulong seed = 0)
    {
        if (real.GetLength(1) != fake.GetLength(1))
            throw new ArgumentException($"feature sets differ in dimension: {real.GetLength(1)} vs {fake.GetLength(1)}");
        using var scope = DisposeScope.Enter();
        return Compute(Tensor.From(real), Tensor.From(fake), subsets, maxSubsetSize, seed);
    }

    /// <summary>KID of feature tensors (N, D) (any float dtype; computed in float64 on their device).</summary>
    public static KidResult Compute(Tensor real, Tensor fake, int subsets = 100, int maxSubsetSize = 1000, ulong seed = 0)
    {
        if (real.Rank != 2 || fake.Rank != 2 || real.Size(1) != fake.Size(1))
            throw new ArgumentException($"KID takes feature matrices (N, D) of one D, got {Tensor.FormatShape(real.Shape)} and {Tensor.FormatShape(fake.Shape)}");
        if (subsets < 1) throw new ArgumentOutOfRangeException(nameof(subsets), $"need at least one subset, got {subsets}");
        int n1 = (int)real.Size(0), n2 = (int)fake.Size(0);
        int m = Math.Min(Math.Min(n1, n2), maxSubsetSize);
        if (m < 2) throw new ArgumentException($"KID needs at least 2 feature vectors in each set, got {n1} and {n2}");
        using var scope = DisposeScope.Enter();
        var x = real.To(DType.Float64);
        var y = fake.To(DType.Float64);
        using var generator = new Generator(seed, x.Device);
        var values = new double[subsets];
        for (int s = 0; s < subsets; s++)
        {
            using var step = DisposeScope.Enter();
            var xi = Tensor.Randperm(n1, x.Device, generator).Narrow(0, 0, m);
            var yi = Tensor.Randperm(n2, x.Device, generator).Narrow(0, 0, m);
            values[s] = UnbiasedMmd2(x.IndexSelect(0, xi), y.IndexSelect(0, yi));
        }
        double mean = values.Average();
        double std = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());
        return new KidResult(mean, std, subsets, m, n1, n2);
    }

    /// <summary>The unbiased MMD² estimate between the rows of x (m, D) and y (n, D) under the cubic polynomial kernel.</summary>
    public static double UnbiasedMmd2(Tensor x, Tensor y)
    {
        using var scope = DisposeScope.Enter();
        long m = x.Size(0), n = y.Size(0), d = x.Size(1);
        var kxx = Kernel(x, x, d);
        var kyy = Kernel(y, y, d);
        var kxy = Kernel(x, y, d);
        double sxx = kxx.Sum().Item<double>() - Trace(kxx);
        double syy = kyy.Sum().Item<double>() - Trace(kyy);
        double sxy = kxy.Sum().Item<double>();
        return sxx / (m * (m - 1.0)) + syy / (n * (n - 1.0)) - 2 * sxy / ((double)m * n);
    }

    /// <summary>
    /// MMD² of rows drawn with replacement from two sets: rows x (m, D) that are copies of original rows
    /// <paramref name="xSource"/> (m) and likewise for y. Within-set pairs of copies of one original row are left out
    /// (as the diagonal is in <see cref="UnbiasedMmd2"/>), so bootstrap replicates keep the estimator's expectation.
    /// </summary>
    public static double DistinctPairsMmd2(Tensor x, Tensor xSource, Tensor y, Tensor ySource)
    {
        using var scope = DisposeScope.Enter();
        long d = x.Size(1);
        double Within(Tensor a, Tensor source)
        {
            var distinct = source.Unsqueeze(1).Ne(source.Unsqueeze(0)).To(DType.Float64);   // (m, m): 1 where the originals differ
            double pairs = distinct.Sum().Item<double>();
            if (pairs == 0) throw new ArgumentException("a resample holds copies of a single row: no distinct pairs");
            return (Kernel(a, a, d) * distinct).Sum().Item<double>() / pairs;
        }
        return Within(x, xSource) + Within(y, ySource) - 2 * Kernel(x, y, d).Mean().Item<double>();
    }

    private static Tensor Kernel(Tensor a, Tensor b, long d) => a.MatMul(b.T).Div((double)d).Add(1.0).Pow(3.0);

    private static double Trace(Tensor square)
    {
        using var eye = Tensor.Eye(square.Size(0), square.DType, square.Device);
        using var diagonal = square * eye;
        using var sum = diagonal.Sum();
        return sum.Item<double>();
    }
}
