namespace Workbench.Metrics.Tests;

public class KidTests
{
    // The unbiased estimator written out as loops, from the definition (Bińkowski et al. 2018, eq. 3).
    private static double LoopMmd2(double[,] x, double[,] y)
    {
        int m = x.GetLength(0), n = y.GetLength(0), d = x.GetLength(1);
        double K(double[,] a, int i, double[,] b, int j)
        {
            double dot = 0;
            for (int k = 0; k < d; k++) dot += a[i, k] * b[j, k];
            return Math.Pow(dot / d + 1, 3);
        }
        double xx = 0, yy = 0, xy = 0;
        for (int i = 0; i < m; i++) for (int j = 0; j < m; j++) if (i != j) xx += K(x, i, x, j);
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) if (i != j) yy += K(y, i, y, j);
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) xy += K(x, i, y, j);
        return xx / (m * (m - 1.0)) + yy / (n * (n - 1.0)) - 2 * xy / (m * (double)n);
    }

    [Fact]
    public void UnbiasedMmdMatchesTheLoopDefinition()
    {
        var x = FrechetTests.Features(9, 5, 0.37, 1.1, 0.0);
        var y = FrechetTests.Features(7, 5, 0.81, 0.6, 1.5);
        using var scope = DisposeScope.Enter();
        Assert.Equal(LoopMmd2(x, y), Kid.UnbiasedMmd2(Tensor.From(x), Tensor.From(y)), 1e-10);
    }

    [Fact]
    public void FullSizeSubsetsGiveTheSameValueEveryTime()
    {
        // A subset of all rows is a permutation, which the estimator does not see.
        var x = FrechetTests.Features(8, 4, 0.37, 1.1, 0.0);
        var y = FrechetTests.Features(8, 4, 0.81, 0.6, 1.5);
        var kid = Kid.Compute(x, y, subsets: 5, maxSubsetSize: 8);
        Assert.Equal(LoopMmd2(x, y), kid.Value, 1e-10);
        Assert.Equal(0, kid.Std, 1e-10);
        Assert.Equal(8, kid.SubsetSize);
    }

    [Fact]
    public void EstimatorIsUnbiasedOnSamplesOfOneDistribution()
    {
        // 400 independent pairs of small samples (m = 12) from one Gaussian: the unbiased MMD² averages to 0 within
        // a few standard errors, while the plug-in (V-statistic, diagonal included) estimate is clearly positive.
        using var g = new Generator(3);
        var unbiased = new List<double>();
        var plugIn = new List<double>();
        for (int r = 0; r < 400; r++)
        {
            using var scope = DisposeScope.Enter();
            var x = Tensor.Randn([12, 6], DType.Float64, generator: g);
            var y = Tensor.Randn([12, 6], DType.Float64, generator: g);
            unbiased.Add(Kid.UnbiasedMmd2(x, y));
            Tensor K(Tensor a, Tensor b) => a.MatMul(b.T).Div(6.0).Add(1.0).Pow(3.0);
            plugIn.Add(K(x, x).Mean().Item<double>() + K(y, y).Mean().Item<double>() - 2 * K(x, y).Mean().Item<double>());
        }
        double mean = unbiased.Average();
        double se = Math.Sqrt(unbiased.Sum(v => (v - mean) * (v - mean)) / (unbiased.Count - 1) / unbiased.Count);
        Assert.True(Math.Abs(mean) < 4 * se, $"mean unbiased MMD² {mean} is {Math.Abs(mean) / se:F1} standard errors from 0");
        double plugMean = plugIn.Average();
        Assert.True(plugMean > 10 * se, $"the plug-in estimate ({plugMean}) should be biased well above 0 (se {se})");
    }

    [Fact]
    public void DifferentDistributionsGiveAClearlyPositiveKid()
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(5);
        var x = Tensor.Randn([200, 8], DType.Float64, generator: g);
        var y = Tensor.Randn([200, 8], DType.Float64, generator: g) + 0.7;
        var z = Tensor.Randn([200, 8], DType.Float64, generator: g);
        var far = Kid.Compute(x, y, subsets: 20, maxSubsetSize: 100);
        var near = Kid.Compute(x, z, subsets: 20, maxSubsetSize: 100);
        Assert.True(far.Value > 5 * far.Std / Math.Sqrt(20) && far.Value > 10 * Math.Abs(near.Value), $"far {far}, near {near}");
    }

    [Fact]
    public void BootstrapIntervalBracketsTheEstimateAndExcludesZeroForDifferentSets()
    {
        var x = FrechetTests.Features(120, 4, 0.37, 1.1, 0.0);
        var y = FrechetTests.Features(120, 4, 0.41, 1.3, 2.0);
        var fd = Bootstrap.Frechet(x, y, resamples: 60);
        Assert.True(fd.Lower <= fd.Upper);
        Assert.True(fd.Lower > 0);
        Assert.Equal(FrechetDistance.Compute(x, y), fd.Value, 1e-12);
        var kid = Bootstrap.Kid(x, y, resamples: 20, subsets: 10);
        Assert.True(kid.Lower > 0 && kid.Lower <= kid.Upper);
    }

    [Fact]
    public void DistinctPairsEstimatorMatchesTheUnbiasedOneWithoutRepeatsAndDropsRepeatedPairs()
    {
        var xa = FrechetTests.Features(6, 3, 0.37, 1.1, 0.0);
        var ya = FrechetTests.Features(5, 3, 0.81, 0.6, 1.5);
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(xa);
        var y = Tensor.From(ya);
        var iy = Tensor.Arange(0, 5, 1);
        Assert.Equal(Kid.UnbiasedMmd2(x, y), Kid.DistinctPairsMmd2(x, Tensor.Arange(0, 6, 1), y, iy), 1e-12);

        // A resample holding x's rows 0, 0, 1, 2: within x, only the 10 ordered pairs of different originals count.
        int[] rows = [0, 0, 1, 2];
        double K(double[,] a, int i, double[,] b, int j) => Math.Pow((a[i, 0] * b[j, 0] + a[i, 1] * b[j, 1] + a[i, 2] * b[j, 2]) / 3 + 1, 3);
        double withinX = 0, withinY = 0, cross = 0;
        int count = 0;
        foreach (var a in rows) foreach (var b in rows) if (a != b) { withinX += K(xa, a, xa, b); count++; }
        for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) if (i != j) withinY += K(ya, i, ya, j);
        foreach (var a in rows) for (int j = 0; j < 5; j++) cross += K(xa, a, ya, j);
        Assert.Equal(10, count);
        double expected = withinX / count + withinY / 20 - 2 * cross / 20;
        var picked = Tensor.From(rows.Select(r => (long)r).ToArray());
        Assert.Equal(expected, Kid.DistinctPairsMmd2(x.IndexSelect(0, picked), picked, y, iy), 1e-9);
    }

    [Fact]
    public void BootstrapOfAMeanMatchesTheNormalIntervalForManyRunsAndSpansTwoRuns()
    {
        // 400 draws of N(3, 2²): the bootstrap distribution of the mean is close to normal with standard error s/√n
        // (s with divisor n, the plug-in value the bootstrap resamples), so the 95 % interval is mean ± 1.96·s/√n.
        var random = new Random(7);
        var values = Enumerable.Range(0, 400).Select(_ => 3 + 2 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())).ToArray();
        double mean = values.Average(), se = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length / values.Length);
        var interval = Bootstrap.Mean(values, resamples: 4000);
        Assert.Equal(mean, interval.Value, 12);
        Assert.Equal(se, interval.StdError, se * 0.08);
        Assert.Equal(mean - 1.96 * se, interval.Lower, se * 0.15);
        Assert.Equal(mean + 1.96 * se, interval.Upper, se * 0.15);

        // Two runs: resamples are {a, a}, {a, b}, {b, b}, so the interval runs from a to b.
        var two = Bootstrap.Mean([1.0, 5.0], resamples: 2000);
        Assert.Equal((3.0, 1.0, 5.0), (two.Value, two.Lower, two.Upper));
        Assert.Equal((7.0, 7.0), (Bootstrap.Mean([7.0]).Lower, Bootstrap.Mean([7.0]).Upper));
        Assert.Throws<ArgumentException>(() => Bootstrap.Mean([]));
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => Bootstrap.Mean([1.0, double.NaN])).Message);
    }

    [Fact]
    public void QuantileIsNumpysLinearInterpolation()
    {
        double[] sorted = [1, 2, 3, 4];
        Assert.Equal(1.75, Bootstrap.Quantile(sorted, 0.25), 12);   // np.quantile([1,2,3,4], 0.25) = 1.75
        Assert.Equal(3.85, Bootstrap.Quantile(sorted, 0.95), 12);   // np.quantile([1,2,3,4], 0.95) = 3.85
        Assert.Equal(1, Bootstrap.Quantile(sorted, 0), 12);
        Assert.Equal(4, Bootstrap.Quantile(sorted, 1), 12);
    }
}
