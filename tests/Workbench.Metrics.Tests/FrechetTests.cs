namespace Workbench.Metrics.Tests;

public class FrechetTests
{
    // The inputs of tests/fixtures/frechet_reference.py, by the same formulas.
    internal static double[,] Matrix(int d, double a, double b, double c, double phase)
    {
        var m = new double[d, d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                double s = 0;
                for (int k = 0; k < d; k++) s += Math.Sin(a * i + b * k + c * i * k + phase) * Math.Sin(a * j + b * k + c * j * k + phase);
                m[i, j] = s / d + (i == j ? 0.1 : 0);
            }
        return m;
    }

    internal static double[] Mean(int d, double a, double phase) => Enumerable.Range(0, d).Select(i => Math.Cos(a * i + phase)).ToArray();

    internal static double[,] Features(int n, int d, double a, double b, double shift)
    {
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                x[i, j] = Math.Sin(a * i + b * j * j + 0.3) + 0.5 * Math.Cos(0.9 * i * j + 1.7) + shift * j / d;
        return x;
    }

    [Fact]
    public void MatchesScipySqrtmReferenceValues()
    {
        // Printed by tests/fixtures/frechet_reference.py (scipy.linalg.sqrtm of Σ1·Σ2, as pytorch-fid and StyleGAN-V).
        double d4 = FrechetDistance.Compute(Mean(4, 0.7, 0.1), Matrix(4, 1.3, 0.7, 0.1, 0.5), Mean(4, 1.1, 0.4), Matrix(4, 0.9, 1.7, 0.05, 0.2));
        Assert.Equal(1.8559768593431976, d4, 1.8559768593431976 * 1e-9);
        double d16 = FrechetDistance.Compute(Mean(16, 0.3, 0.0), Matrix(16, 1.3, 0.7, 0.1, 0.5), Mean(16, 0.5, 1.0), Matrix(16, 0.4, 2.1, 0.03, 1.1));
        Assert.Equal(31.880496013680734, d16, 31.880496013680734 * 1e-9);
    }

    [Fact]
    public void FeatureSetsMatchTheReferenceWithNumpysCovariance()
    {
        double fd = FrechetDistance.Compute(Features(200, 8, 0.37, 1.1, 0.0), Features(150, 8, 0.41, 1.3, 0.8));
        Assert.Equal(5.836407853201644, fd, 5.836407853201644 * 1e-9);
    }

    [Fact]
    public void IdenticalGaussiansAreAtDistanceZero()
    {
        var sigma = Matrix(12, 0.8, 1.9, 0.07, 0.3);
        var mu = Mean(12, 0.6, 0.2);
        Assert.Equal(0, FrechetDistance.Compute(mu, sigma, mu, sigma), 1e-10);
        var x = Features(100, 6, 0.5, 0.9, 0.3);
        Assert.Equal(0, FrechetDistance.Compute(x, x), 1e-10);
    }

    [Fact]
    public void DiagonalCovariancesFollowTheClosedForm()
    {
        // Commuting (diagonal) covariances: d = Σ (μ1ᵢ − μ2ᵢ)² + Σ (√aᵢ − √bᵢ)².
        double[] a = [1.0, 4.0, 0.25, 9.0, 2.0], b = [0.5, 1.0, 0.36, 16.0, 2.0];
        double[] mu1 = [0, 1, 2, 3, 4], mu2 = [0.5, 1, 1, 3, 6];
        var s1 = new double[5, 5];
        var s2 = new double[5, 5];
        for (int i = 0; i < 5; i++) { s1[i, i] = a[i]; s2[i, i] = b[i]; }
        double expected = 0;
        for (int i = 0; i < 5; i++) expected += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]) + Math.Pow(Math.Sqrt(a[i]) - Math.Sqrt(b[i]), 2);
        Assert.Equal(expected, FrechetDistance.Compute(mu1, s1, mu2, s2), 1e-12);
    }

    [Fact]
    public void ScaledCovarianceFollowsTheClosedForm()
    {
        // Σ2 = k²Σ1: tr(Σ1Σ2)^½ = k·tr Σ1, so d = |Δμ|² + (1 − k)² tr Σ1, for a full (non-diagonal) Σ1.
        var s1 = Matrix(7, 1.1, 0.3, 0.2, 0.9);
        double k = 1.7, trace = 0;
        var s2 = new double[7, 7];
        for (int i = 0; i < 7; i++) { trace += s1[i, i]; for (int j = 0; j < 7; j++) s2[i, j] = k * k * s1[i, j]; }
        var mu = Mean(7, 0.4, 0);
        var shifted = mu.Select(m => m + 0.5).ToArray();
        Assert.Equal(7 * 0.25 + (1 - k) * (1 - k) * trace, FrechetDistance.Compute(mu, s1, shifted, s2), 1e-9);
    }

    [Fact]
    public void RankDeficientCovariancesStayFinite()
    {
        // 5 samples in 10 dimensions: both covariances have rank 4.
        var x = Features(5, 10, 0.37, 1.1, 0.0);
        var y = Features(5, 10, 0.91, 0.4, 0.5);
        double d = FrechetDistance.Compute(x, y);
        Assert.True(double.IsFinite(d));
        Assert.True(d > 0);
        // Identical rank-deficient sets: 0 up to rounding (√ of eigenvalues that are 0 only to rounding error).
        var stats = GaussianStats.FromFeatures(x);
        double trace = Enumerable.Range(0, 10).Sum(i => stats.Covariance[i, i]);
        Assert.Equal(0, FrechetDistance.Compute(x, x), 1e-6 * trace);
    }

    [Fact]
    public void CovarianceMatchesTheTwoPassFormula()
    {
        var x = Features(30, 4, 0.2, 0.7, 1.0);
        var stats = GaussianStats.FromFeatures(x);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
            {
                double mi = Enumerable.Range(0, 30).Average(n => x[n, i]), mj = Enumerable.Range(0, 30).Average(n => x[n, j]);
                double c = Enumerable.Range(0, 30).Sum(n => (x[n, i] - mi) * (x[n, j] - mj)) / 29;
                Assert.Equal(c, stats.Covariance[i, j], 1e-12);
            }
        var biased = GaussianStats.FromFeatures(x, ddof: 0);
        Assert.Equal(stats.Covariance[1, 2] * 29 / 30, biased.Covariance[1, 2], 1e-12);
    }

    [Fact]
    public void MismatchedDimensionsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => FrechetDistance.Compute(Features(10, 3, 1, 1, 0), Features(10, 4, 1, 1, 0)));
        Assert.Contains("dimension", e.Message);
    }

    [Fact]
    public void FvdIsBiasedUpwardAtSmallSampleCountsAndKidIsNot()
    {
        // Two samples of one Gaussian: the true distance is 0. FD's estimate grows as N falls; KID stays near 0.
        using var g = new Generator(11);
        double Fd(int n)
        {
            using var scope = DisposeScope.Enter();
            var a = Tensor.Randn([n, 16], DType.Float64, generator: g).ToArray<double>();
            var b = Tensor.Randn([n, 16], DType.Float64, generator: g).ToArray<double>();
            return FrechetDistance.Compute(ToMatrix(a, n, 16), ToMatrix(b, n, 16));
        }
        double small = Enumerable.Range(0, 5).Average(_ => Fd(40)), large = Enumerable.Range(0, 5).Average(_ => Fd(1000));
        Assert.True(small > 3 * large, $"FD at N=40 ({small}) should be well above FD at N=1000 ({large})");
    }

    internal static double[,] ToMatrix(double[] flat, int n, int d)
    {
        var m = new double[n, d];
        Buffer.BlockCopy(flat, 0, m, 0, flat.Length * sizeof(double));
        return m;
    }
}
