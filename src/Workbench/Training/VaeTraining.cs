using System.Text.Json;
using System.Text.Json.Nodes;
using Workbench.Data;
using Workbench.Metrics;
using Workbench.Models;
using Workbench.Torch;

namespace Workbench.Training;

/// <summary>What a VAE training run does: data, clip shape, budget, optimisation.</summary>
public sealed record VaeTrainingOptions : ITrainingLoopOptions
{
    public required string DataDirectory { get; init; }
    public required string RunDirectory { get; init; }
    public string Preset { get; init; } = "tiny";
    public VaeConfig Config { get; init; } = VaeConfig.Tiny;
    public int Frames { get; init; } = 17;
    public int Size { get; init; } = 32;
    /// <summary>Clips per micro-batch.</summary>
    public int BatchSize { get; init; } = 8;
    /// <summary>Micro-batches per optimizer step (gradient accumulation).</summary>
    public int Accumulate { get; init; } = 1;
    /// <summary>Stop after this many optimizer steps (if set) ...</summary>
    public int? Steps { get; init; }
    /// <summary>... or after this much training time.</summary>
    public double? Minutes { get; init; }
    public double LearningRate { get; init; } = 2e-3;
    public int WarmupSteps { get; init; } = 50;
    public double WeightDecay { get; init; } = 0.0;
    public double ClipGradNorm { get; init; } = 1.0;
    /// <summary>The last this many clips of the dataset are held out for evaluation.</summary>
    public int Holdout { get; init; } = 64;
    public ulong Seed { get; init; }
    public Device Device { get; init; } = Device.Cpu;
    public int SaveEvery { get; init; } = 200;
    /// <summary>Decay of the exponential moving average of the weights; the saved model is the average.</summary>
    public double EmaDecay { get; init; } = 0.995;
    /// <summary>Continue from the run's last complete checkpoint.</summary>
    public bool Resume { get; init; }
}

/// <summary>One step's numbers, reported as training runs.</summary>
public sealed record TrainStep(long Step, double Loss, double Reconstruction, double Kl, double LearningRate, double GradNorm,
    double ClipsPerSecond, double Elapsed, double Progress);

/// <summary>Held-out reconstruction quality of a VAE.</summary>
public sealed record VaeEvaluation(int Clips, double Psnr, double Ssim, double PsnrFirstFrame, double PsnrLaterFrames,
    double[] PsnrPerFrame, long[] LatentShape, double CompressionRatio);

/// <summary>Trains a <see cref="CausalVideoVae"/> on a dataset folder and evaluates it on held-out clips.</summary>
public static class VaeTraining
{
    public const string WeightsFile = "vae.safetensors";

    public static CausalVideoVae Train(VaeTrainingOptions o, IProgress<TrainStep>? progress = null, CancellationToken cancel = default,
        IProgress<string>? status = null)
    {
        TrainingLoop.Validate(o);
        using var dataset = VideoDataset.Open(o.DataDirectory);
        if (dataset.Count <= o.Holdout + o.BatchSize)
            throw new ArgumentException($"{o.DataDirectory} has {dataset.Count} clips: too few for a holdout of {o.Holdout} and batches of {o.BatchSize}");
        // The VAE sees as many channels as the clips have (3 for Bouncing Shapes, 1 for Moving MNIST).
        o = o with { Config = o.Config with { InChannels = dataset.Channels } };
        Directory.CreateDirectory(o.RunDirectory);
        WriteConfig(o, dataset);

        var vae = Generator.Seeded(o.Seed, () => new CausalVideoVae(o.Config));
        vae.To(o.Device).Train();
        using var optimizer = new AdamW(vae.NamedParameters(), o.LearningRate, beta2: 0.99, weightDecay: o.WeightDecay);
        using var ema = new Ema(vae, o.EmaDecay);
        var train = new SubsetDataset(dataset, 0, dataset.Count - o.Holdout);
        var loader = new DataLoader(train, o.BatchSize, shuffle: true, seed: o.Seed, device: o.Device, frames: o.Frames, size: o.Size);
        using var generator = new Generator(o.Seed + 1, o.Device);
        var loop = new TrainingLoop(o, vae, optimizer, ema, finalLearningRate: o.LearningRate * 0.05)
        {
            // The posterior samples' noise is one stream through the run: checkpoints carry its state.
            ExtraState = () => [("generator", generator.GetState())],
            RestoreExtraState = state => generator.SetState(state["generator"]),
            Saved = step => Save(ema.StateDict().Concat(vae.NamedBuffers().Select(b => (b.Name, b.Buffer.Value))).ToList(), o, step),
        };
        loop.ResumeIfAsked(status);
        using var log = new TrainingLog(o.RunDirectory, "vae", JsonNode.Parse(File.ReadAllText(Path.Combine(o.RunDirectory, "config.json")))!, loop.Step);
        loop.Run(start => TrainingLoop.Epochs(loader, start), batch =>
        {
            var (loss, reconstruction, kl, _) = vae.Loss(batch.Video, generator);
            return new BatchLoss(loss, reconstruction, kl);
        }, log, progress, cancel);
        ema.CopyTo(vae);
        vae.Eval();
        RecordLatentStatistics(vae, train, o);
        Save(vae.StateDict(), o, loop.Step);
        log.Finish();
        return vae;
    }

    private static void WriteConfig(VaeTrainingOptions o, VideoDataset dataset)
    {
        var config = new JsonObject
        {
            ["model"] = "vae",
            ["preset"] = o.Preset,
            ["config"] = JsonSerializer.SerializeToNode(o.Config),
            ["data"] = Path.GetFullPath(o.DataDirectory),
            ["dataset"] = dataset.Info["name"]?.DeepClone(),
            ["frames"] = o.Frames, ["size"] = o.Size, ["batch"] = o.BatchSize, ["accumulate"] = o.Accumulate, ["lr"] = o.LearningRate,
            ["steps"] = o.Steps, ["minutes"] = o.Minutes, ["holdout"] = o.Holdout, ["seed"] = o.Seed, ["device"] = o.Device.ToString(),
        };
        AtomicFile.WriteAllText(Path.Combine(o.RunDirectory, "config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    // The averaged (EMA) weights are what a run keeps: they reconstruct better than the last step's.
    private static void Save(IReadOnlyList<(string Name, Tensor Tensor)> state, VaeTrainingOptions o, long step) =>
        NN.SafetensorsFile.Save(Path.Combine(o.RunDirectory, WeightsFile), state, new Dictionary<string, string> { ["step"] = step.ToString(), ["preset"] = o.Preset });

    // Per-channel mean/std of posterior means over (up to) 256 training clips.
    private static void RecordLatentStatistics(CausalVideoVae vae, IVideoDataset train, VaeTrainingOptions o)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var loader = new DataLoader(train, o.BatchSize, shuffle: true, seed: o.Seed + 7, device: o.Device, frames: o.Frames, size: o.Size);
        var means = new List<Tensor>();
        foreach (var batch in loader.Epoch().Take(Math.Max(1, 256 / o.BatchSize)))
            using (batch) means.Add(vae.Encode(batch.Video).Mean);
        vae.SetLatentStatistics(Tensor.Cat(means));
    }

    /// <summary>Loads a trained VAE from a run folder.</summary>
    public static CausalVideoVae Load(string runDirectory, Device? device = null)
    {
        var configPath = Path.Combine(runDirectory, "config.json");
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{runDirectory} is not a training run (no config.json)", configPath);
        var json = JsonNode.Parse(File.ReadAllText(configPath))!;
        var config = json["config"].Deserialize<VaeConfig>() ?? throw new InvalidDataException($"{configPath}: no VAE config");
        var vae = new CausalVideoVae(config);
        vae.Load(Path.Combine(runDirectory, WeightsFile));
        vae.To(device ?? Device.Cpu).Eval();
        return vae;
    }

    /// <summary>PSNR and SSIM of deterministic reconstructions (posterior mean) of the held-out clips.</summary>
    public static VaeEvaluation Evaluate(CausalVideoVae vae, IVideoDataset clips, int frames, int size, Device device, int batchSize = 8)
    {
        var loader = new DataLoader(clips, batchSize, shuffle: false, device: device, dropLast: false, frames: frames, size: size);
        var psnrs = new List<double>();
        var ssims = new List<double>();
        var perFrame = new double[frames];
        using var noGrad = new NoGrad();
        foreach (var batch in loader.Epoch())
        {
            using var scope = DisposeScope.Enter();
            using var _ = batch;
            var x = batch.Video;                                                   // (B, C, T, H, W) in [-1, 1]
            var y = vae.Decode(vae.Encode(x).Mean).Clamp(-1, 1);
            var x01 = (x + 1) / 2;
            var y01 = (y + 1) / 2;
            psnrs.AddRange(ImageQuality.Psnr(x01, y01).Cpu().ToArray<float>().Select(v => (double)v));
            long b = x.Size(0), c = x.Size(1), t = x.Size(2);
            var framesX = x01.Permute(0, 2, 1, 3, 4).Reshape(b * t, c, size, size);  // (B·T, C, H, W)
            var framesY = y01.Permute(0, 2, 1, 3, 4).Reshape(b * t, c, size, size);
            int window = Math.Min(11, size);
            ssims.AddRange(ImageQuality.Ssim(framesX, framesY, window).Cpu().ToArray<float>().Select(v => (double)v));
            var framePsnr = ImageQuality.Psnr(framesX, framesY).Reshape(b, t).Sum(0).Cpu().ToArray<float>();
            for (int f = 0; f < frames; f++) perFrame[f] += framePsnr[f];
        }
        int n = psnrs.Count;
        for (int f = 0; f < frames; f++) perFrame[f] /= n;
        var (lc, lt, lh, lw) = vae.LatentShape(frames, size, size);
        return new VaeEvaluation(n, psnrs.Average(), ssims.Average(), perFrame[0], perFrame.Skip(1).Average(), perFrame,
            [lc, lt, lh, lw], vae.CompressionRatio(frames, size, size));
    }
}

/// <summary>Clips [start, start + count) of another dataset.</summary>
public sealed class SubsetDataset(IVideoDataset source, long start, long count) : IVideoDataset
{
    public long Count { get; } = count;
    public VideoClip Get(long index) => index >= 0 && index < Count ? source.Get(start + index)
        : throw new ArgumentOutOfRangeException(nameof(index), $"clip {index} is outside the subset's {Count} clips");
}
