using Workbench.NN;

namespace Workbench.Metrics.Tests;

public class FeatureNetTests
{
    private static readonly FeatureNetConfig Tiny = new() { Width = 8, FeatureDim = 16, Frames = 8, Size = 16 };

    private static List<VideoClip> ShapesClips(int count, ulong seed = 1) =>
        Enumerable.Range(0, count).Select(i => new BouncingShapes(new BouncingShapesOptions { Size = 16, Frames = 9 }).Generate(seed, i)).ToList();

    [Fact]
    public void ForwardGivesFeaturesAndOneLogitPerClass()
    {
        Workbench.Torch.Torch.ManualSeed(0);
        using var net = new VideoFeatureNet(Tiny);
        using var scope = DisposeScope.Enter();
        var video = Tensor.Rand([2, 3, 9, 32, 32]) * 2 - 1;
        var (features, logits) = net.Forward(video);
        Assert.Equal(new long[] { 2, 16 }, features.Shape);
        Assert.Equal(new long[] { 2, 8 }, logits["color"].Shape);
        Assert.Equal(new long[] { 2, 3 }, logits["shape"].Shape);
        Assert.Equal(new long[] { 2, 24 }, logits["object"].Shape);
        Assert.Equal(new long[] { 2, 3 }, logits["motion"].Shape);
        // Consistency features cover every frame of the clip, not only the first Frames.
        Assert.Equal(new long[] { 2, 9, 16 }, net.SubjectFeatures(video).Shape);
        Assert.Equal(new long[] { 2, 9, 8 * 16 }, net.BackgroundFeatures(video).Shape);
        var e = Assert.Throws<ArgumentException>(() => net.Forward(Tensor.Zeros([1, 3, 4, 16, 16])));
        Assert.Contains("at least 8 frames", e.Message);
    }

    [Fact]
    public void TargetsAreTheClipsGroundTruth()
    {
        using var net = new VideoFeatureNet(Tiny);
        using var scope = DisposeScope.Enter();
        var clips = ShapesClips(6);
        var targets = net.Targets(clips, Device.Cpu);
        var colors = targets["color"].ToArray<float>();
        var motion = targets["motion"].ToArray<long>();
        for (int i = 0; i < clips.Count; i++)
        {
            for (int k = 0; k < 8; k++)
                Assert.Equal(clips[i].Objects.Any(o => o.Color == FeatureNetConfig.Colors[k]) ? 1f : 0f, colors[i * 8 + k]);
            Assert.Equal(Array.IndexOf(FeatureNetConfig.Motions, clips[i].Objects[0].Motion), motion[i]);
        }
    }

    [Fact]
    public void BinaryCrossEntropyMatchesItsDefinition()
    {
        using var scope = DisposeScope.Enter();
        var logits = Tensor.From(new float[] { 0, 2, -3 });
        var targets = Tensor.From(new float[] { 1, 0, 0 });
        double Bce(double x, double y) => -(y * Math.Log(1 / (1 + Math.Exp(-x))) + (1 - y) * Math.Log(1 - 1 / (1 + Math.Exp(-x))));
        double expected = (Bce(0, 1) + Bce(2, 0) + Bce(-3, 0)) / 3;
        Assert.Equal(expected, VideoFeatureNet.BinaryCrossEntropyWithLogits(logits, targets).Item<double>(), 5);
    }

    [Fact]
    public void TrainingLowersTheLossAndTheRunLoadsBack()
    {
        var dir = Path.Combine(Path.GetTempPath(), "wb-features-" + Guid.NewGuid().ToString("N"));
        try
        {
            var data = Path.Combine(dir, "data");
            var generator = new BouncingShapes(new BouncingShapesOptions { Size = 16, Frames = 9 });
            using (var writer = new VideoDatasetWriter(data, 9, 16, 16, 3, new System.Text.Json.Nodes.JsonObject { ["name"] = "shapes", ["fps"] = 8 }))
            {
                for (int i = 0; i < 72; i++) writer.Add(generator.Generate(3, i));
                writer.Complete();
            }
            var losses = new List<double>();
            var options = new FeatureNetTrainingOptions
            {
                DataDirectory = data, RunDirectory = Path.Combine(dir, "run"), Config = Tiny, BatchSize = 8, Steps = 40, Holdout = 16,
                LearningRate = 5e-3, WarmupSteps = 5,
            };
            using var net = FeatureNetTraining.Train(options, new Progress(s => losses.Add(s.Loss)));
            Assert.Equal(40, losses.Count);
            Assert.True(losses.TakeLast(8).Average() < 0.8 * losses.Take(8).Average(), $"loss {losses.Take(8).Average():F3} → {losses.TakeLast(8).Average():F3}");
            Assert.Equal("shapes", net.Config.Schema);

            using var loaded = FeatureNetTraining.Load(options.RunDirectory);
            using var scope = DisposeScope.Enter();
            var video = Tensor.Stack(ShapesClips(3, seed: 9).Select(c => c.ToTensor()).ToList());
            Assert.True(net.Extract(video).AllClose(loaded.Extract(video), 1e-5, 1e-6));

            // FVD through the extractor: a set against itself is at distance 0; KID near 0.
            var clips = new GeneratedDataset(12, i => generator.Generate(21, i));
            var features = Fvd.Extract(loaded, clips, batchSize: 5);
            Assert.Equal(12, features.GetLength(0));
            Assert.Equal(16, features.GetLength(1));
            // 12 clips in 16 dimensions: rank-deficient covariances; zero up to rounding in the square roots.
            var self = Fvd.Compare(features, features);
            Assert.Equal(0, self.Fvd, 1e-6 * TraceOf(features));

            var adherence = PromptAdherence.Evaluate(loaded, Enumerable.Range(0, 6).Select(i => generator.Generate(21, i)).ToList());
            Assert.Equal(6, adherence.Counts["motion"]);
            Assert.True(adherence.Counts["color"] >= 6);
            Assert.InRange(adherence.Overall, 0, 1);
        }
        finally { try { Directory.Delete(dir, recursive: true); } catch (IOException) { } }
    }

    private static double TraceOf(double[,] x)
    {
        var stats = GaussianStats.FromFeatures(x);
        return Enumerable.Range(0, stats.Dimension).Sum(i => stats.Covariance[i, i]);
    }

    private sealed class Progress(Action<FeatureTrainStep> report) : IProgress<FeatureTrainStep>
    {
        public void Report(FeatureTrainStep value) => report(value);
    }
}
