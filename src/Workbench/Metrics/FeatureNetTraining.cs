using System.Text.Json;
using System.Text.Json.Nodes;
using Workbench.Data;
using Workbench.Torch;
using Workbench.Training;

namespace Workbench.Metrics;

/// <summary>What a feature-network training run does: data, budget, optimisation, network size.</summary>
public sealed record FeatureNetTrainingOptions : ITrainingLoopOptions
{
    public required string DataDirectory { get; init; }
    public required string RunDirectory { get; init; }
    /// <summary>Network size and input shape; the schema and channels are taken from the dataset.</summary>
    public FeatureNetConfig Config { get; init; } = new();
    /// <summary>Clips per micro-batch.</summary>
    public int BatchSize { get; init; } = 16;
    /// <summary>Micro-batches per optimizer step (gradient accumulation).</summary>
    public int Accumulate { get; init; } = 1;
    public int? Steps { get; init; }
    public double? Minutes { get; init; }
    public double LearningRate { get; init; } = 2e-3;
    public int WarmupSteps { get; init; } = 20;
    public double WeightDecay { get; init; } = 0.01;
    public double ClipGradNorm { get; init; } = 1.0;
    /// <summary>The last this many clips of the dataset are held out for the accuracy report.</summary>
    public int Holdout { get; init; } = 128;
    public ulong Seed { get; init; }
    public Device Device { get; init; } = Device.Cpu;
    public int SaveEvery { get; init; } = 200;
    /// <summary>Continue from the run's last complete checkpoint.</summary>
    public bool Resume { get; init; }
}

/// <summary>One training step's numbers (the run's log keeps the full <see cref="TrainStep"/>).</summary>
public sealed record FeatureTrainStep(long Step, double Loss, double LearningRate, double ClipsPerSecond, double Elapsed, double Progress);

/// <summary>Held-out accuracy per head: exact-set accuracy (every class right) and per-class accuracy for multi-label heads.</summary>
public sealed record FeatureNetEvaluation(int Clips, IReadOnlyDictionary<string, double> ExactAccuracy, IReadOnlyDictionary<string, double> ClassAccuracy);

/// <summary>Trains, evaluates, saves and loads <see cref="VideoFeatureNet"/> (run folder: config.json + features.safetensors).</summary>
public static class FeatureNetTraining
{
    public const string WeightsFile = "features.safetensors";

    public static VideoFeatureNet Train(FeatureNetTrainingOptions o, IProgress<FeatureTrainStep>? progress = null, CancellationToken cancel = default,
        IProgress<string>? status = null)
    {
        TrainingLoop.Validate(o);
        using var dataset = VideoDataset.Open(o.DataDirectory);
        if (dataset.Count <= o.Holdout + o.BatchSize)
            throw new ArgumentException($"{o.DataDirectory} has {dataset.Count} clips: too few for a holdout of {o.Holdout} and batches of {o.BatchSize}");
        if (dataset.Frames < o.Config.Frames)
            throw new ArgumentException($"{o.DataDirectory} has clips of {dataset.Frames} frames; the feature net is configured for {o.Config.Frames} (set Frames lower)");
        var config = o.Config with { Schema = VideoFeatureNet.SchemaOf(dataset.Get(0)), InChannels = dataset.Channels };
        Directory.CreateDirectory(o.RunDirectory);

        var net = Generator.Seeded(o.Seed, () => new VideoFeatureNet(config));
        net.To(o.Device).Train();
        using var optimizer = new AdamW(net.NamedParameters(), o.LearningRate, weightDecay: o.WeightDecay);
        var train = new SubsetDataset(dataset, 0, dataset.Count - o.Holdout);
        var loader = new DataLoader(train, o.BatchSize, shuffle: true, seed: o.Seed, device: o.Device, frames: config.Frames, size: config.Size);
        var loop = new TrainingLoop(o, net, optimizer, ema: null, finalLearningRate: o.LearningRate * 0.05)
        {
            Saved = step => Save(net, o, step, null),
        };
        loop.ResumeIfAsked(status);
        using var log = new TrainingLog(o.RunDirectory, "features", RunConfig(net, o, loop.Step, null), loop.Step);
        loop.Run(start => TrainingLoop.Epochs(loader, start), batch =>
        {
            var (_, logits) = net.Forward(batch.Video);
            return net.Loss(logits, net.Targets(batch.Clips, o.Device));
        }, log, progress is null ? null : new SynchronousProgress<TrainStep>(s =>
            progress.Report(new FeatureTrainStep(s.Step, s.Loss, s.LearningRate, s.ClipsPerSecond, s.Elapsed, s.Progress))), cancel);
        net.Eval();
        var heldOut = new SubsetDataset(dataset, dataset.Count - o.Holdout, o.Holdout);
        var evaluation = Evaluate(net, heldOut, o.Device);
        Save(net, o, loop.Step, evaluation);
        foreach (var (head, accuracy) in evaluation.ExactAccuracy) log.AddEvaluation(loop.Step, $"accuracy_{head}", accuracy, evaluation.Clips);
        log.Finish();
        return net;
    }

    private static void Save(VideoFeatureNet net, FeatureNetTrainingOptions o, long step, FeatureNetEvaluation? evaluation)
    {
        AtomicFile.WriteAllText(Path.Combine(o.RunDirectory, "config.json"), RunConfig(net, o, step, evaluation).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        net.Save(Path.Combine(o.RunDirectory, WeightsFile), new Dictionary<string, string> { ["step"] = step.ToString(), ["schema"] = net.Config.Schema });
    }

    private static JsonObject RunConfig(VideoFeatureNet net, FeatureNetTrainingOptions o, long step, FeatureNetEvaluation? evaluation) =>
        new()
        {
            ["model"] = "video-features",
            ["config"] = JsonSerializer.SerializeToNode(net.Config),
            ["heads"] = JsonSerializer.SerializeToNode(net.Config.Heads),
            ["data"] = Path.GetFullPath(o.DataDirectory),
            ["steps"] = step, ["batch"] = o.BatchSize, ["accumulate"] = o.Accumulate, ["lr"] = o.LearningRate, ["holdout"] = o.Holdout, ["seed"] = o.Seed,
            ["evaluation"] = evaluation is null ? null : JsonSerializer.SerializeToNode(evaluation),
        };

    /// <summary>Loads a trained feature network from its run folder (eval mode).</summary>
    public static VideoFeatureNet Load(string runDirectory, Device? device = null)
    {
        var configPath = Path.Combine(runDirectory, "config.json");
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{runDirectory} is not a feature-network run (no config.json); train one with `workbench train features`", configPath);
        var json = JsonNode.Parse(File.ReadAllText(configPath))!;
        if (json["model"]?.GetValue<string>() != "video-features")
            throw new InvalidDataException($"{configPath}: not a feature-network run (model is '{json["model"]}')");
        var config = json["config"].Deserialize<FeatureNetConfig>() ?? throw new InvalidDataException($"{configPath}: no config");
        var net = new VideoFeatureNet(config);
        net.Load(Path.Combine(runDirectory, WeightsFile));
        net.To(device ?? Device.Cpu).Eval();
        return net;
    }

    /// <summary>Accuracy of the heads on labelled clips.</summary>
    public static FeatureNetEvaluation Evaluate(VideoFeatureNet net, IVideoDataset clips, Device device, int batchSize = 16)
    {
        var exact = new Dictionary<string, double>();
        var perClass = new Dictionary<string, double>();
        int n = 0;
        var loader = new DataLoader(clips, batchSize, shuffle: false, device: device, dropLast: false, frames: net.Config.Frames);
        using var noGrad = new NoGrad();
        foreach (var batch in loader.Epoch())
        {
            using var scope = DisposeScope.Enter();
            using var _ = batch;
            var (_, logits) = net.Forward(batch.Video);
            var targets = net.Targets(batch.Clips, device);
            foreach (var head in net.Config.Heads)
            {
                var l = logits[head.Name];
                var y = targets[head.Name];
                double exactHits, classHits;
                if (head.MultiLabel)
                {
                    var correct = l.Gt(0).Eq(y.Gt(0.5));                                  // (B, K)
                    exactHits = correct.All(1).To(DType.Float64).Sum().Item<double>();
                    classHits = correct.To(DType.Float64).Mean(1).Sum().Item<double>();
                }
                else
                {
                    exactHits = classHits = l.ArgMax(1).Eq(y).To(DType.Float64).Sum().Item<double>();
                }
                exact[head.Name] = exact.GetValueOrDefault(head.Name) + exactHits;
                perClass[head.Name] = perClass.GetValueOrDefault(head.Name) + classHits;
            }
            n += batch.Size;
        }
        return new FeatureNetEvaluation(n, exact.ToDictionary(kv => kv.Key, kv => kv.Value / Math.Max(n, 1)),
            perClass.ToDictionary(kv => kv.Key, kv => kv.Value / Math.Max(n, 1)));
    }
}
