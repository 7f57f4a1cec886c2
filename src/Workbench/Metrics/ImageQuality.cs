using Workbench.Torch;

namespace Workbench.Metrics;

/// <summary>Reconstruction quality of frames: PSNR and SSIM, on values in [0, 1].</summary>
public static class ImageQuality
{
    /// <summary>PSNR in dB per leading item, 10·log10(1 / MSE), over all other dims of (N, ...).</summary>
    public static Tensor Psnr(Tensor reference, Tensor test)
    {
        CheckShapes(reference, test);
        using var scope = DisposeScope.Enter();
        var dims = Enumerable.Range(1, reference.Rank - 1).Select(d => (long)d).ToArray();
        var mse = (reference - test).Square().Mean(dims).ClampMin(1e-12);
        return scope.Keep(mse.Log10Scaled());
    }

    private static Tensor Log10Scaled(this Tensor mse) => mse.Log() * (-10 / Math.Log(10));

    /// <summary>
    /// SSIM (Wang et al. 2004) per image of (N, C, H, W): an 11×11 Gaussian window (σ = 1.5), K1 = 0.01,
    /// K2 = 0.03, data range 1, valid positions only, averaged over positions and channels, as in
    /// scikit-image's structural_similarity(gaussian_weights=True) and the reference MATLAB code.
    /// </summary>
    public static Tensor Ssim(Tensor reference, Tensor test, int window = 11, double sigma = 1.5)
    {
        CheckShapes(reference, test);
        if (reference.Rank != 4) throw new ArgumentException($"SSIM takes (N, C, H, W) images, got {Tensor.FormatShape(reference.Shape)}");
        if (reference.Size(2) < window || reference.Size(3) < window)
            throw new ArgumentException($"SSIM's {window}×{window} window does not fit in {reference.Size(2)}×{reference.Size(3)} images; pass a smaller window");
        using var scope = DisposeScope.Enter();
        const double c1 = 0.01 * 0.01, c2 = 0.03 * 0.03;
        long channels = reference.Size(1);
        var kernel = GaussianWindow(window, sigma, reference.Device, reference.DType).Expand(channels, 1, window, window).Contiguous();
        Tensor Blur(Tensor x) => F.Conv2d(x, kernel, groups: channels);
        var x = reference; var y = test;
        var muX = Blur(x); var muY = Blur(y);
        var sigmaXX = Blur(x * x) - muX * muX;
        var sigmaYY = Blur(y * y) - muY * muY;
        var sigmaXY = Blur(x * y) - muX * muY;
        var map = (muX * muY * 2 + c1) * (sigmaXY * 2 + c2) / ((muX * muX + muY * muY + c1) * (sigmaXX + sigmaYY + c2));
        return scope.Keep(map.Mean([1, 2, 3]));
    }

    private static Tensor GaussianWindow(int size, double sigma, Device device, DType dtype)
    {
        var g = new float[size * size];
        double center = (size - 1) / 2.0, total = 0;
        for (int i = 0; i < size; i++)
            for (int j = 0; j < size; j++)
                total += g[i * size + j] = (float)Math.Exp(-((i - center) * (i - center) + (j - center) * (j - center)) / (2 * sigma * sigma));
        for (int k = 0; k < g.Length; k++) g[k] /= (float)total;
        return Tensor.From(g, [1, 1, size, size], device).To(dtype);
    }

    private static void CheckShapes(Tensor a, Tensor b)
    {
        if (!a.Shape.SequenceEqual(b.Shape))
            throw new ArgumentException($"images differ in shape: {Tensor.FormatShape(a.Shape)} vs {Tensor.FormatShape(b.Shape)}");
    }
}
