using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workbench.Data;
using Workbench.Torch;
using Workbench.Training;

namespace Workbench.Metrics;

/// <summary>What a feature-network training run does: data, budget, optimisation, network size.</summary>
public sealed record FeatureNetTrainingOptions
{
    public required string DataDirectory { get; init; }
    public required string RunDirectory { get; init; }
    /// <summary>Network size and input shape; the schema and channels are taken from the dataset.</summary>
    public FeatureNetConfig Config { get; init; } = new();
    public int BatchSize { get; init; } = 16;
    public int? Steps { get; init; }
    public double? Minutes { get; init; }
    public double LearningRate { get; init; } = 2e-3;
    public int WarmupSteps { get; init; } = 20;
    public double WeightDecay { get; init; } = 0.01;
    /// <summary>The last this many clips of the dataset are held out for the accuracy report.</summary>
    public int Holdout { get; init; } = 128;
    public ulong Seed { get; init; }
    public Device Device { get; init; } = Device.Cpu;
    public int SaveEvery { get; init; } = 200;
}

/// <summary>One training step's numbers.</summary>
public sealed record FeatureTrainStep(long Step, double Loss, double LearningRate, double ClipsPerSecond, double Elapsed, double Progress);

/// <summary>Held-out accuracy per head: exact-set accuracy (every class right) and per-class accuracy for multi-label heads.</summary>
public sealed record FeatureNetEvaluation(int Clips, IReadOnlyDictionary<string, double> ExactAccuracy, IReadOnlyDictionary<string, double> ClassAccuracy);

/// <summary>Trains, evaluates, saves and loads <see cref="VideoFeatureNet"/> (run folder: config.json + features.safetensors).</summary>
public static class FeatureNetTraining
{
    public const string WeightsFile = "features.safetensors";

    public static VideoFeatureNet Train(FeatureNetTrainingOptions o, IProgress<FeatureTrainStep>? progress = null, CancellationToken cancel = default)
    {
        if (o.Steps is null && o.Minutes is null) throw new ArgumentException("give a budget: steps or minutes");
        using var dataset = VideoDataset.Open(o.DataDirectory);
        if (dataset.Count <= o.Holdout + o.BatchSize)
            throw new ArgumentException($"{o.DataDirectory} has {dataset.Count} clips: too few for a holdout of {o.Holdout} and batches of {o.BatchSize}");
        if (dataset.Frames < o.Config.Frames)
            throw new ArgumentException($"{o.DataDirectory} has clips of {dataset.Frames} frames; the feature net is configured for {o.Config.Frames} (set Frames lower)");
        var config = o.Config with { Schema = VideoFeatureNet.SchemaOf(dataset.Get(0)), InChannels = dataset.Channels };
        Directory.CreateDirectory(o.RunDirectory);

        Torch.Torch.ManualSeed(o.Seed);
        var net = new VideoFeatureNet(config);
        net.To(o.Device).Train();
        using var optimizer = new AdamW(net.NamedParameters(), o.LearningRate, weightDecay: o.WeightDecay);
        var train = new SubsetDataset(dataset, 0, dataset.Count - o.Holdout);
        var loader = new DataLoader(train, o.BatchSize, shuffle: true, seed: o.Seed, device: o.Device, frames: config.Frames, size: config.Size);
        using var metrics = new StreamWriter(Path.Combine(o.RunDirectory, "metrics.jsonl"), append: false);
        var clock = Stopwatch.StartNew();
        long step = 0;
        double Progress() => o.Steps is { } s ? (double)step / s : clock.Elapsed.TotalMinutes / o.Minutes!.Value;
        for (int epoch = 0; Progress() < 1; epoch++)
        {
            foreach (var batch in loader.Epoch(epoch))
            {
                using var scope = DisposeScope.Enter();
                using var _ = batch;
                cancel.ThrowIfCancellationRequested();
                double lr = LrSchedule.WarmupCosine(step, o.WarmupSteps, Progress(), o.LearningRate, o.LearningRate * 0.05);
                optimizer.LearningRate = lr;
                var (_, logits) = net.Forward(batch.Video);
                var loss = net.Loss(logits, net.Targets(batch.Clips, o.Device));
                var (lossValue, _) = UpdateStep.Apply(loss, net, optimizer, step);
                step++;
                var report = new FeatureTrainStep(step, lossValue, lr, step * o.BatchSize / clock.Elapsed.TotalSeconds, clock.Elapsed.TotalSeconds, Math.Min(1, Progress()));
                metrics.WriteLine(JsonSerializer.Serialize(report));
                progress?.Report(report);
                if (step % o.SaveEvery == 0) Save(net, o, step, null);
                if (Progress() >= 1) break;
            }
        }
        metrics.Flush();
        net.Eval();
        var heldOut = new SubsetDataset(dataset, dataset.Count - o.Holdout, o.Holdout);
        var evaluation = Evaluate(net, heldOut, o.Device);
        Save(net, o, step, evaluation);
        return net;
    }

    private static void Save(VideoFeatureNet net, FeatureNetTrainingOptions o, long step, FeatureNetEvaluation? evaluation)
    {
        var config = new JsonObject
        {
            ["model"] = "video-features",
            ["config"] = JsonSerializer.SerializeToNode(net.Config),
            ["heads"] = JsonSerializer.SerializeToNode(net.Config.Heads),
            ["data"] = Path.GetFullPath(o.DataDirectory),
            ["steps"] = step, ["batch"] = o.BatchSize, ["lr"] = o.LearningRate, ["holdout"] = o.Holdout, ["seed"] = o.Seed,
            ["evaluation"] = evaluation is null ? null : JsonSerializer.SerializeToNode(evaluation),
        };
        AtomicFile.WriteAllText(Path.Combine(o.RunDirectory, "config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        net.Save(Path.Combine(o.RunDirectory, WeightsFile), new Dictionary<string, string> { ["step"] = step.ToString(), ["schema"] = net.Config.Schema });
    }

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
