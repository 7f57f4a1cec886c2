using Workbench.Torch;

namespace Workbench.Metrics;

/// <summary>A metric with a bootstrap confidence interval: the value on the full sets, and percentile bounds.</summary>
public sealed record MetricInterval(double Value, double Lower, double Upper, double StdError, int Resamples, double Confidence)
{
    public override string ToString() => $"{Value:G6} [{Lower:G6}, {Upper:G6}] ({Confidence:P0} bootstrap, {Resamples} resamples)";
}

/// <summary>
/// Bootstrap confidence intervals (Efron's percentile method) for FVD and KID: both feature sets are
/// resampled with replacement, the metric recomputed on each pair of resamples, and the interval is the
/// (1 − c)/2 and (1 + c)/2 quantiles of the replicates. The interval measures the spread due to the finite
/// samples; it does not remove FVD's upward bias at small N (see docs/metrics.md).
/// </summary>
public static class Bootstrap
{
    /// <summary>FVD (Fréchet distance of the fitted Gaussians) with a bootstrap interval.</summary>
    public static MetricInterval Frechet(double[,] real, double[,] fake, int resamples = 200, double confidence = 0.95, ulong seed = 0, int ddof = 1)
    {
        CheckArguments(real, fake, resamples, confidence);
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(real);
        var y = Tensor.From(fake);
        double value = FrechetDistance.Compute(GaussianStats.FromFeatures(x, ddof), GaussianStats.FromFeatures(y, ddof));
        var random = new Random(unchecked((int)seed) ^ 0x5f3759df);
        var replicates = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            using var step = DisposeScope.Enter();
            var xr = x.IndexSelect(0, Resample(random, x.Size(0)));
            var yr = y.IndexSelect(0, Resample(random, y.Size(0)));
            replicates[r] = FrechetDistance.Compute(GaussianStats.FromFeatures(xr, ddof), GaussianStats.FromFeatures(yr, ddof));
        }
        return Percentile(value, replicates, confidence);
    }

    /// <summary>
    /// KID with a bootstrap interval. Each replicate resamples both sets with replacement (at most
    /// <paramref name="maxSubsetSize"/> rows each) and computes MMD² leaving out within-set pairs of copies of one
    /// original row (<see cref="Metrics.Kid.DistinctPairsMmd2"/>): counting those pairs would bias every replicate
    /// upward by the kernel's self-similarity k(x, x).
    /// </summary>
    public static MetricInterval Kid(double[,] real, double[,] fake, int resamples = 100, double confidence = 0.95, ulong seed = 0,
        int subsets = 100, int maxSubsetSize = 1000)
    {
        CheckArguments(real, fake, resamples, confidence);
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(real);
        var y = Tensor.From(fake);
        double value = Metrics.Kid.Compute(x, y, subsets, maxSubsetSize, seed).Value;
        var random = new Random(unchecked((int)seed) ^ 0x1b873593);
        var replicates = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            using var step = DisposeScope.Enter();
            var xi = Resample(random, x.Size(0), maxSubsetSize);
            var yi = Resample(random, y.Size(0), maxSubsetSize);
            replicates[r] = Metrics.Kid.DistinctPairsMmd2(x.IndexSelect(0, xi), xi, y.IndexSelect(0, yi), yi);
        }
        return Percentile(value, replicates, confidence);
    }

    /// <summary>
    /// The mean of one value per run (a metric over training seeds) with a percentile bootstrap interval: the runs are
    /// resampled with replacement. The interval is only as good as the number of runs (with two it spans their range).
    /// </summary>
    public static MetricInterval Mean(IReadOnlyList<double> values, int resamples = 2000, double confidence = 0.95, ulong seed = 0)
    {
        if (values.Count == 0) throw new ArgumentException("the mean of no values has no interval", nameof(values));
        foreach (var v in values)
            if (!double.IsFinite(v)) throw new ArgumentException($"values must be finite, got {v}", nameof(values));
        if (resamples < 1) throw new ArgumentOutOfRangeException(nameof(resamples), $"need at least one bootstrap resample, got {resamples}");
        if (confidence is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(confidence), $"confidence must be in (0, 1), got {confidence}");
        var random = new Random(unchecked((int)seed) ^ 0x2545f491);
        var replicates = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (int i = 0; i < values.Count; i++) sum += values[random.Next(values.Count)];
            replicates[r] = sum / values.Count;
        }
        return Percentile(values.Average(), replicates, confidence);
    }

    /// <summary>The percentile interval of <paramref name="replicates"/> around <paramref name="value"/>.</summary>
    public static MetricInterval Percentile(double value, double[] replicates, double confidence)
    {
        if (replicates.Length == 0) throw new ArgumentException("no bootstrap replicates", nameof(replicates));
        var sorted = replicates.Order().ToArray();
        double alpha = (1 - confidence) / 2;
        double mean = sorted.Average();
        double se = sorted.Length > 1 ? Math.Sqrt(sorted.Sum(v => (v - mean) * (v - mean)) / (sorted.Length - 1)) : 0;
        return new MetricInterval(value, Quantile(sorted, alpha), Quantile(sorted, 1 - alpha), se, sorted.Length, confidence);
    }

    /// <summary>Linear-interpolation quantile of sorted values (numpy's default, "linear").</summary>
    public static double Quantile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(position), hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (position - lo);
    }

    // n indices drawn with replacement from 0..n-1 (at most `cap` of them).
    private static Tensor Resample(Random random, long n, long cap = long.MaxValue)
    {
        var idx = new long[Math.Min(n, cap)];
        for (long i = 0; i < idx.Length; i++) idx[i] = random.NextInt64(n);
        return Tensor.From(idx);
    }

    private static void CheckArguments(double[,] real, double[,] fake, int resamples, double confidence)
    {
        if (real.GetLength(1) != fake.GetLength(1))
            throw new ArgumentException($"feature sets differ in dimension: {real.GetLength(1)} vs {fake.GetLength(1)}");
        if (resamples < 1) throw new ArgumentOutOfRangeException(nameof(resamples), $"need at least one bootstrap resample, got {resamples}");
        if (confidence is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(confidence), $"confidence must be in (0, 1), got {confidence}");
    }
}
