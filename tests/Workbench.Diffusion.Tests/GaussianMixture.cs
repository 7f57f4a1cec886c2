namespace Workbench.Diffusion.Tests;

/// <summary>
/// A Gaussian mixture in D dims with isotropic components, whose exact denoiser E[x0 | x_t] is analytic:
/// with x_t = α·x0 + σ·ε, component k gives x_t ~ N(α·μ_k, (α²·s_k² + σ²)·I), so
///   r_k(x) ∝ w_k·N(x; α·μ_k, (α²s_k² + σ²)·I),
///   E[x0 | x_t = x] = Σ_k r_k·(μ_k + α·s_k²/(α²s_k² + σ²)·(x − α·μ_k)).
/// Plain float64 C#, independent of the library's tensor code; <see cref="Model"/> turns it into "the
/// trained network" of any objective by converting x̂0 to the objective's target.
/// </summary>
internal sealed class GaussianMixture(double[] weights, double[][] means, double[] stds)
{
    public double[] Weights { get; } = weights;
    public double[][] Means { get; } = means;
    public double[] Stds { get; } = stds;
    public int Components => Weights.Length;
    public int Dim => Means[0].Length;

    /// <summary>The test distribution: three well-separated 2-D components.</summary>
    public static GaussianMixture Standard { get; } = new(
        [0.5, 0.3, 0.2],
        [[-2.0, -1.0], [2.0, -1.0], [0.0, 2.5]],
        [0.5, 0.4, 0.3]);

    public double Mean(int d) => Enumerable.Range(0, Components).Sum(k => Weights[k] * Means[k][d]);

    public double Variance(int d) =>
        Enumerable.Range(0, Components).Sum(k => Weights[k] * (Stds[k] * Stds[k] + Means[k][d] * Means[k][d])) - Mean(d) * Mean(d);

    /// <summary>E[x0 | x_t = x] for one point, written into <paramref name="result"/>.</summary>
    public void PosteriorMean(ReadOnlySpan<double> x, double alpha, double sigma, Span<double> result)
    {
        Span<double> logR = stackalloc double[Components];
        double max = double.NegativeInfinity;
        for (int k = 0; k < Components; k++)
        {
            double variance = alpha * alpha * Stds[k] * Stds[k] + sigma * sigma;
            double sq = 0;
            for (int d = 0; d < Dim; d++) sq += Math.Pow(x[d] - alpha * Means[k][d], 2);
            logR[k] = Math.Log(Weights[k]) - 0.5 * Dim * Math.Log(variance) - 0.5 * sq / variance;
            max = Math.Max(max, logR[k]);
        }
        double total = 0;
        for (int k = 0; k < Components; k++) total += logR[k] = Math.Exp(logR[k] - max);
        result.Clear();
        for (int k = 0; k < Components; k++)
        {
            double r = logR[k] / total;
            double gain = alpha * Stds[k] * Stds[k] / (alpha * alpha * Stds[k] * Stds[k] + sigma * sigma);
            for (int d = 0; d < Dim; d++) result[d] += r * (Means[k][d] + gain * (x[d] - alpha * Means[k][d]));
        }
    }

    /// <summary>
    /// The exact "network" for <paramref name="objective"/>: per sample, x̂0 from the posterior mean, then
    /// ε̂ = (x − α·x̂0)/σ and the target: ε̂, v = α·ε̂ − σ·x̂0, or velocity ε̂ − x̂0. Counts its calls.
    /// </summary>
    public DiffusionModel Model(DiffusionObjective objective, Action<Tensor, Tensor>? onCall = null)
    {
        return (xt, t) =>
        {
            onCall?.Invoke(xt, t);
            Assert.Equal(2, xt.Rank);
            var dtype = xt.DType;
            var x = xt.To(DType.Float64).ToArray<double>();
            var times = t.To(DType.Float64).ToArray<double>();
            int n = times.Length;
            var output = new double[x.Length];
            Span<double> x0 = stackalloc double[Dim];
            for (int i = 0; i < n; i++)
            {
                var (alpha, sigma) = objective.NoiseLevel(times[i]);
                var xi = x.AsSpan(i * Dim, Dim);
                PosteriorMean(xi, alpha, sigma, x0);
                for (int d = 0; d < Dim; d++)
                {
                    double eps = (xi[d] - alpha * x0[d]) / sigma;
                    output[i * Dim + d] = objective.Prediction switch
                    {
                        Prediction.Epsilon => eps,
                        Prediction.V => alpha * eps - sigma * x0[d],
                        _ => eps - x0[d],
                    };
                }
            }
            return Tensor.From(output, [n, Dim]).To(dtype);
        };
    }

    /// <summary>Exact samples (System.Random, Box–Muller), as an (n, D) float64 tensor.</summary>
    public Tensor Draw(int n, int seed)
    {
        var rng = new Random(seed);
        var data = new double[n * Dim];
        for (int i = 0; i < n; i++)
        {
            double u = rng.NextDouble(), acc = 0;
            int k = 0;
            while (k < Components - 1 && u > (acc += Weights[k])) k++;
            for (int d = 0; d < Dim; d++) data[i * Dim + d] = Means[k][d] + Stds[k] * Normal(rng);
        }
        return Tensor.From(data, [n, Dim]);
    }

    private static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>The component with the highest posterior for a clean point.</summary>
    public int Classify(ReadOnlySpan<double> x)
    {
        int best = 0;
        double bestLog = double.NegativeInfinity;
        for (int k = 0; k < Components; k++)
        {
            double sq = 0;
            for (int d = 0; d < Dim; d++) sq += Math.Pow(x[d] - Means[k][d], 2);
            double log = Math.Log(Weights[k]) - Dim * Math.Log(Stds[k]) - 0.5 * sq / (Stds[k] * Stds[k]);
            if (log > bestLog) (best, bestLog) = (k, log);
        }
        return best;
    }
}

/// <summary>Sample statistics against the mixture's analytic ones, with the tolerances the tests use.</summary>
internal sealed record MixtureStats(double[] Mean, double[] Variance, double[] Weights, double[] ComponentStd)
{
    // Tolerances for N = 4000 samples: about 4 standard errors of each estimate plus room for the
    // sampler's discretisation error (weights: SE 0.008; means: SE ≤ 0.03; variances: SE ≈ 0.07;
    // within-component std: SE ≤ 0.01).
    public const double MeanTol = 0.12, VarianceRelTol = 0.10, WeightTol = 0.03, StdRelTol = 0.08;

    public static MixtureStats Of(Tensor samples, GaussianMixture mixture)
    {
        var x = samples.To(DType.Float64).ToArray<double>();
        int dim = mixture.Dim, n = x.Length / dim, kCount = mixture.Components;
        var mean = new double[dim];
        var variance = new double[dim];
        for (int d = 0; d < dim; d++)
        {
            for (int i = 0; i < n; i++) mean[d] += x[i * dim + d] / n;
            for (int i = 0; i < n; i++) variance[d] += Math.Pow(x[i * dim + d] - mean[d], 2) / (n - 1);
        }
        var counts = new int[kCount];
        var sq = new double[kCount];
        for (int i = 0; i < n; i++)
        {
            var xi = x.AsSpan(i * dim, dim);
            int k = mixture.Classify(xi);
            counts[k]++;
            for (int d = 0; d < dim; d++) sq[k] += Math.Pow(xi[d] - mixture.Means[k][d], 2);
        }
        return new MixtureStats(mean, variance,
            counts.Select(c => (double)c / n).ToArray(),
            Enumerable.Range(0, kCount).Select(k => Math.Sqrt(sq[k] / Math.Max(1, counts[k] * dim))).ToArray());
    }

    /// <summary>Every way these statistics miss the mixture's, or an empty list.</summary>
    public List<string> Misses(GaussianMixture mixture)
    {
        var misses = new List<string>();
        for (int d = 0; d < mixture.Dim; d++)
        {
            if (Math.Abs(Mean[d] - mixture.Mean(d)) > MeanTol) misses.Add($"mean[{d}] {Mean[d]:F4} vs {mixture.Mean(d):F4}");
            if (Math.Abs(Variance[d] / mixture.Variance(d) - 1) > VarianceRelTol) misses.Add($"variance[{d}] {Variance[d]:F4} vs {mixture.Variance(d):F4}");
        }
        for (int k = 0; k < mixture.Components; k++)
        {
            if (Math.Abs(Weights[k] - mixture.Weights[k]) > WeightTol) misses.Add($"weight[{k}] {Weights[k]:F4} vs {mixture.Weights[k]:F4}");
            if (Math.Abs(ComponentStd[k] / mixture.Stds[k] - 1) > StdRelTol) misses.Add($"std[{k}] {ComponentStd[k]:F4} vs {mixture.Stds[k]:F4}");
        }
        return misses;
    }

    public override string ToString() =>
        $"mean [{string.Join(", ", Mean.Select(v => v.ToString("F3")))}], var [{string.Join(", ", Variance.Select(v => v.ToString("F3")))}], " +
        $"weights [{string.Join(", ", Weights.Select(v => v.ToString("F3")))}], std [{string.Join(", ", ComponentStd.Select(v => v.ToString("F3")))}]";
}
