using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Metrics;

/// <summary>A network that turns clips into feature vectors for FVD/KID (I3D, or Workbench's feature net).</summary>
public interface IVideoFeatureExtractor : IDisposable
{
    string Name { get; }
    /// <summary>Frames per clip the network looks at (the first ones).</summary>
    int Frames { get; }
    int Dimension { get; }
    /// <summary>Features (B, D) of clips (B, C, T, H, W) with values in [-1, 1].</summary>
    Tensor Extract(Tensor video);
}

/// <summary>FVD and KID between two feature sets, with the sample counts they rest on.</summary>
public sealed record FvdReport(string Features, int RealCount, int FakeCount, int Dimension, double Fvd, KidResult Kid,
    MetricInterval? FvdInterval = null, MetricInterval? KidInterval = null)
{
    /// <summary>FVD is biased upward at small N: report N with it, and compare runs only at equal N.</summary>
    public string SampleNote => $"N = {RealCount} real, {FakeCount} generated clips, D = {Dimension}" +
        (Math.Min(RealCount, FakeCount) < 2 * Dimension ? $"; FVD at N < 2·D is strongly biased upward (KID is unbiased)" : "");
}

/// <summary>
/// Fréchet Video Distance (Unterthiner et al. 2018): the Fréchet distance between Gaussians fitted to the
/// features of real and generated clips, with a pluggable feature network: StyleGAN-V's TorchScript I3D
/// (<see cref="I3dFeatures"/>) for figures comparable with papers, or <see cref="VideoFeatureNet"/> for the
/// synthetic datasets. KID is computed from the same features.
/// </summary>
public static class Fvd
{
    /// <summary>Features [N, D] of up to <paramref name="maxClips"/> clips of a dataset (in order), as float64 rows.</summary>
    public static double[,] Extract(IVideoFeatureExtractor extractor, IVideoDataset clips, int? maxClips = null, int batchSize = 16,
        Device? device = null, IProgress<int>? progress = null)
    {
        long count = Math.Min(clips.Count, maxClips ?? long.MaxValue);
        if (count < 2) throw new ArgumentException($"need at least 2 clips for FVD, got {count}");
        var subset = new Training.SubsetDataset(clips, 0, count);
        var loader = new DataLoader(subset, batchSize, shuffle: false, device: device ?? Device.Cpu, dropLast: false, frames: extractor.Frames);
        var rows = new List<double[]>();
        foreach (var batch in loader.Epoch())
        {
            using var scope = DisposeScope.Enter();
            using var _ = batch;
            var features = extractor.Extract(batch.Video).To(DType.Float64, Device.Cpu).Contiguous();   // (B, D)
            long b = features.Size(0), d = features.Size(1);
            var flat = features.ToArray<double>();
            for (int i = 0; i < b; i++) rows.Add(flat.AsSpan((int)(i * d), (int)d).ToArray());
            progress?.Report(rows.Count);
        }
        var result = new double[rows.Count, rows[0].Length];
        for (int i = 0; i < rows.Count; i++)
            for (int j = 0; j < rows[i].Length; j++) result[i, j] = rows[i][j];
        return result;
    }

    /// <summary>FVD and KID between two feature sets, optionally with bootstrap intervals (<paramref name="bootstrap"/> resamples).</summary>
    public static FvdReport Compare(double[,] real, double[,] fake, string features = "features", int bootstrap = 0, int kidSubsets = 100,
        int kidSubsetSize = 1000, ulong seed = 0, int ddof = 1)
    {
        if (real.GetLength(1) != fake.GetLength(1))
            throw new ArgumentException($"the two feature sets differ in dimension: {real.GetLength(1)} vs {fake.GetLength(1)} (were they made by the same network?)");
        double fvd = FrechetDistance.Compute(real, fake, ddof);
        var kid = Kid.Compute(real, fake, kidSubsets, kidSubsetSize, seed);
        MetricInterval? fvdInterval = null, kidInterval = null;
        if (bootstrap > 0)
        {
            fvdInterval = Bootstrap.Frechet(real, fake, bootstrap, seed: seed, ddof: ddof);
            kidInterval = Bootstrap.Kid(real, fake, bootstrap, seed: seed, subsets: kidSubsets, maxSubsetSize: kidSubsetSize);
        }
        return new FvdReport(features, real.GetLength(0), fake.GetLength(0), real.GetLength(1), fvd, kid, fvdInterval, kidInterval);
    }
}
