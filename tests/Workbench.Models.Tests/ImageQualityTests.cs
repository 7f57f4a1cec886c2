using Workbench.Metrics;

namespace Workbench.Models.Tests;

public class ImageQualityTests
{
    [Fact]
    public void PsnrIsTenLog10OfOneOverTheMeanSquaredError()
    {
        using var scope = DisposeScope.Enter();
        var a = Tensor.Zeros([2, 3, 4, 4]);
        var b = Tensor.Full([2, 3, 4, 4], 0.1);                      // MSE 0.01 → 20 dB
        var psnr = ImageQuality.Psnr(a, b).ToArray<float>();
        Assert.Equal(20, psnr[0], 4);
        Assert.Equal(20, psnr[1], 4);
    }

    [Fact]
    public void SsimMatchesALoopImplementationOfWangEtAl()
    {
        using var scope = DisposeScope.Enter();
        var random = new Random(3);
        int h = 14, w = 13, win = 7;
        double sigma = 1.5;
        var x = Enumerable.Range(0, h * w).Select(_ => random.NextDouble()).ToArray();
        var y = x.Select(v => Math.Clamp(v + 0.2 * (random.NextDouble() - 0.5), 0, 1)).ToArray();
        var got = ImageQuality.Ssim(Tensor.From(x, [1, 1, h, w]), Tensor.From(y, [1, 1, h, w]), win, sigma).Item<double>();

        // Reference: Gaussian-weighted local statistics at every valid window position.
        var g = new double[win, win];
        double c = (win - 1) / 2.0, total = 0;
        for (int i = 0; i < win; i++) for (int j = 0; j < win; j++) total += g[i, j] = Math.Exp(-((i - c) * (i - c) + (j - c) * (j - c)) / (2 * sigma * sigma));
        double sum = 0; int count = 0;
        for (int r = 0; r + win <= h; r++)
            for (int s = 0; s + win <= w; s++)
            {
                double mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
                for (int i = 0; i < win; i++)
                    for (int j = 0; j < win; j++)
                    {
                        double k = g[i, j] / total, a = x[(r + i) * w + s + j], b = y[(r + i) * w + s + j];
                        mx += k * a; my += k * b; xx += k * a * a; yy += k * b * b; xy += k * a * b;
                    }
                double vx = xx - mx * mx, vy = yy - my * my, cxy = xy - mx * my, c1 = 1e-4, c2 = 9e-4;
                sum += (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                count++;
            }
        Assert.Equal(sum / count, got, 6);
        Assert.Equal(1.0, ImageQuality.Ssim(Tensor.From(x, [1, 1, h, w]), Tensor.From(x, [1, 1, h, w]), win, sigma).Item<double>(), 9);
    }

    [Fact]
    public void MismatchedShapesAndTooSmallImagesAreRejected()
    {
        using var scope = DisposeScope.Enter();
        Assert.Contains("differ in shape", Assert.Throws<ArgumentException>(() => ImageQuality.Psnr(Tensor.Zeros([1, 2]), Tensor.Zeros([1, 3]))).Message);
        Assert.Contains("does not fit", Assert.Throws<ArgumentException>(() => ImageQuality.Ssim(Tensor.Zeros([1, 1, 8, 8]), Tensor.Zeros([1, 1, 8, 8]))).Message);
    }
}
