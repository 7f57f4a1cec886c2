using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using Workbench.Torch;

namespace Workbench.Metrics;

/// <summary>The mean and covariance of a set of feature vectors (the Gaussian that FID/FVD fit to it), in float64.</summary>
public sealed record GaussianStats(double[] Mean, double[,] Covariance, int Count)
{
    public int Dimension => Mean.Length;

    /// <summary>
    /// Mean and covariance of the rows of <paramref name="features"/> [N, D]. <paramref name="ddof"/> 1 divides
    /// by N − 1 (numpy.cov, pytorch-fid, the TF FVD), 0 by N (StyleGAN-V's FeatureStats); the difference is a
    /// factor N/(N − 1) on the covariance, negligible at the usual N.
    /// </summary>
    public static GaussianStats FromFeatures(double[,] features, int ddof = 1)
    {
        using var scope = DisposeScope.Enter();
        return FromFeatures(Tensor.From(features), ddof);
    }

    /// <summary>Mean and covariance of the rows of a feature tensor (N, D), computed in float64.</summary>
    public static GaussianStats FromFeatures(Tensor features, int ddof = 1)
    {
        if (features.Rank != 2) throw new ArgumentException($"features must be a matrix (N, D), got shape {Tensor.FormatShape(features.Shape)}", nameof(features));
        int n = (int)features.Size(0), d = (int)features.Size(1);
        if (ddof is not (0 or 1)) throw new ArgumentOutOfRangeException(nameof(ddof), $"ddof must be 0 or 1, got {ddof}");
        if (n - ddof < 1) throw new ArgumentException($"need at least {ddof + 1} feature vectors for a covariance, got {n}", nameof(features));
        if (d == 0) throw new ArgumentException("feature vectors have no dimensions", nameof(features));
        using var scope = DisposeScope.Enter();
        var x = features.To(DType.Float64, Device.Cpu);                    // (N, D)
        var mean = x.Mean(0, keepDim: true);                               // (1, D)
        var centered = x - mean;
        var cov = centered.T.MatMul(centered).Div((double)(n - ddof));     // (D, D)
        var m = mean.Reshape(d).ToArray<double>();
        var c = new double[d, d];
        var flat = cov.Contiguous().ToArray<double>();
        Buffer.BlockCopy(flat, 0, c, 0, flat.Length * sizeof(double));
        return new GaussianStats(m, c, n);
    }
}

/// <summary>
/// The Fréchet distance between Gaussians N(μ1, Σ1) and N(μ2, Σ2) (the 2-Wasserstein distance squared),
/// the distance behind FID and FVD: ‖μ1 − μ2‖² + tr Σ1 + tr Σ2 − 2 tr (Σ1 Σ2)^½.
/// <para>
/// Computed in float64 without a general matrix square root: Σ1 Σ2 is similar to the symmetric positive
/// semi-definite Σ1^½ Σ2 Σ1^½, so tr (Σ1 Σ2)^½ = Σ √λᵢ(Σ1^½ Σ2 Σ1^½), with Σ1^½ from a symmetric
/// eigendecomposition (MathNet.Numerics). Eigenvalues that rounding makes slightly negative are taken as 0,
/// so rank-deficient covariances (fewer samples than dimensions) give a finite result where
/// <c>scipy.linalg.sqrtm(Σ1 Σ2)</c> can return complex values or NaN. On well-conditioned inputs it matches
/// the sqrtm-based reference implementations (pytorch-fid, StyleGAN-V) to about 1e-10 relative.
/// </para>
/// </summary>
public static class FrechetDistance
{
    public static double Compute(GaussianStats a, GaussianStats b) => Compute(a.Mean, a.Covariance, b.Mean, b.Covariance);

    /// <summary>FD between the Gaussians fitted to two feature sets [N1, D] and [N2, D].</summary>
    public static double Compute(double[,] features1, double[,] features2, int ddof = 1)
    {
        if (features1.GetLength(1) != features2.GetLength(1))
            throw new ArgumentException($"feature sets differ in dimension: {features1.GetLength(1)} vs {features2.GetLength(1)}");
        return Compute(GaussianStats.FromFeatures(features1, ddof), GaussianStats.FromFeatures(features2, ddof));
    }

    public static double Compute(double[] mu1, double[,] sigma1, double[] mu2, double[,] sigma2)
    {
        int d = mu1.Length;
        if (mu2.Length != d || sigma1.GetLength(0) != d || sigma1.GetLength(1) != d || sigma2.GetLength(0) != d || sigma2.GetLength(1) != d)
            throw new ArgumentException($"Fréchet distance: means of length {mu1.Length} and {mu2.Length} with covariances " +
                $"{sigma1.GetLength(0)}×{sigma1.GetLength(1)} and {sigma2.GetLength(0)}×{sigma2.GetLength(1)} do not agree");
        foreach (var v in mu1.Concat(mu2).Concat(sigma1.Cast<double>()).Concat(sigma2.Cast<double>()))
            if (!double.IsFinite(v)) throw new ArgumentException("Fréchet distance: the means or covariances hold NaN or infinity");

        double meanTerm = 0;
        for (int i = 0; i < d; i++) meanTerm += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]);
        var s1 = Symmetric(sigma1);
        var s2 = Symmetric(sigma2);
        return meanTerm + s1.Trace() + s2.Trace() - 2 * TraceSqrtProduct(s1, s2);
    }

    /// <summary>tr (Σ1 Σ2)^½ = Σ √λ(Σ1^½ Σ2 Σ1^½) for symmetric positive semi-definite Σ1, Σ2.</summary>
    public static double TraceSqrtProduct(Matrix<double> sigma1, Matrix<double> sigma2)
    {
        var root1 = SqrtPsd(sigma1);
        var inner = root1 * sigma2 * root1;
        inner = (inner + inner.Transpose()) * 0.5;
        var eigen = inner.Evd(Symmetricity.Symmetric).EigenValues;
        double sum = 0;
        foreach (var lambda in eigen) sum += Math.Sqrt(Math.Max(lambda.Real, 0));
        return sum;
    }

    /// <summary>The symmetric square root of a symmetric positive semi-definite matrix (negative eigenvalues from rounding taken as 0).</summary>
    public static Matrix<double> SqrtPsd(Matrix<double> sigma)
    {
        var evd = sigma.Evd(Symmetricity.Symmetric);
        var v = evd.EigenVectors;
        var roots = Vector<double>.Build.Dense(sigma.RowCount, i => Math.Sqrt(Math.Max(evd.EigenValues[i].Real, 0)));
        return v * Matrix<double>.Build.DiagonalOfDiagonalVector(roots) * v.Transpose();
    }

    private static Matrix<double> Symmetric(double[,] a)
    {
        var m = Matrix<double>.Build.DenseOfArray(a);
        return (m + m.Transpose()) * 0.5;
    }
}
