using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workbench.Data;
using Workbench.Diffusion;
using Workbench.Models;
using Workbench.Torch;

namespace Workbench.Training;

/// <summary>What a DiT training run does: data, the VAE that makes its latents, model, budget, optimisation.</summary>
public sealed record DiTTrainingOptions : ITrainingLoopOptions
{
    public required string DataDirectory { get; init; }
    /// <summary>A run folder of <c>workbench train vae</c>: its VAE encodes the clips and decodes samples.</summary>
    public required string VaeRun { get; init; }
    public required string RunDirectory { get; init; }
    public string Preset { get; init; } = "tiny";
    public DiTConfig Config { get; init; } = DiTConfig.Tiny;
    /// <summary>Clips per micro-batch.</summary>
    public int BatchSize { get; init; } = 32;
    /// <summary>Micro-batches per optimizer step (gradient accumulation).</summary>
    public int Accumulate { get; init; } = 1;
    public int? Steps { get; init; }
    public double? Minutes { get; init; }
    public double LearningRate { get; init; } = 1e-3;
    public int WarmupSteps { get; init; } = 100;
    public double ClipGradNorm { get; init; } = 1.0;
    public double WeightDecay { get; init; } = 0.0;
    public double EmaDecay { get; init; } = 0.999;
    public RectifiedFlowConfig Flow { get; init; } = new();
    /// <summary>The last this many clips of the dataset are held out (not encoded, not trained on).</summary>
    public int Holdout { get; init; } = 64;
    public ulong Seed { get; init; }
    public Device Device { get; init; } = Device.Cpu;
    /// <summary>Run the forward pass and loss under autocast in this dtype (bfloat16 on CUDA); null: float32. Weights and AdamW state stay float32.</summary>
    public DType? MixedPrecision { get; init; }
    public int SaveEvery { get; init; } = 250;
    /// <summary>Continue from the run's last complete checkpoint.</summary>
    public bool Resume { get; init; }
}

/// <summary>
/// Trains a <see cref="SpacetimeDiT"/> with rectified flow on VAE latents of a captioned dataset: the
/// dataset is encoded once (<see cref="LatentCache"/>), captions are tokenised with a vocabulary built from
/// them, and each micro-batch k draws its clips, text-drop mask, times and noise from streams seeded by
/// (seed, k), so a resumed run continues exactly as an uninterrupted one would.
/// </summary>
public static class DiTTraining
{
    public const string LatentsFile = "latents.safetensors", TokenizerFile = "tokenizer.json", WeightsFile = "dit.safetensors";

    public static SpacetimeDiT Train(DiTTrainingOptions o, IProgress<TrainStep>? progress = null, IProgress<string>? status = null,
        CancellationToken cancel = default)
    {
        TrainingLoop.Validate(o);
        var vaeConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(o.VaeRun, "config.json")))!;
        int frames = vaeConfig["frames"]!.GetValue<int>(), size = vaeConfig["size"]!.GetValue<int>();
        Directory.CreateDirectory(o.RunDirectory);

        using var cache = LoadOrBuildCache(o, frames, size, status);
        var tokenizer = LoadOrBuildTokenizer(o, cache);
        var config = o.Config with { InChannels = (int)cache.Latents.Size(1), VocabSize = tokenizer.VocabularySize };
        int textLength = Math.Min(config.MaxTextLength, cache.Captions.Max(c => CaptionTokenizer.Words(c).Count) + 1);
        using var tokens = tokenizer.EncodeBatch(cache.Captions.ToArray(), textLength).DetachFromScope();
        WriteConfig(o, config, frames, size, textLength);

        var model = Generator.Seeded(o.Seed, () => new SpacetimeDiT(config));
        model.To(o.Device).Train();
        using var optimizer = new AdamW(model.NamedParameters(), o.LearningRate, beta2: 0.99, weightDecay: o.WeightDecay);
        using var ema = new Ema(model, o.EmaDecay);
        var objective = new RectifiedFlowObjective(o.Flow);
        using var generator = new Generator(o.Seed, o.Device);

        var loop = new TrainingLoop(o, model, optimizer, ema, finalLearningRate: o.LearningRate * 0.1);
        loop.ResumeIfAsked(status);
        using var log = new TrainingLog(o.RunDirectory, "dit", JsonNode.Parse(File.ReadAllText(Path.Combine(o.RunDirectory, "config.json")))!, loop.Step);
        loop.Run(TrainingLoop.From, k =>
        {
            // Every random choice of micro-batch k comes from streams seeded by (seed, k).
            var rng = Rng.ForItem(o.Seed, k);
            var indices = Enumerable.Range(0, o.BatchSize).Select(_ => (long)rng.NextInt((int)cache.Count)).ToArray();
            generator.ManualSeed(rng.NextULong());
            var index = Tensor.From(indices);
            // Non-blocking: a blocking copy to CUDA waits for the device to finish its queue first.
            var x0 = cache.Latents.IndexSelect(0, index).To(cache.Latents.DType, o.Device, nonBlocking: true); // (B, C, T, H, W)
            var text = tokens.IndexSelect(0, index).To(tokens.DType, o.Device, nonBlocking: true);            // (B, L)
            var cond = new DiTConditioning { Text = text, DropText = model.SampleTextDrop(o.BatchSize, generator, o.Device) };
            using (Autocast.IfEnabled(o.Device, o.MixedPrecision)) return objective.Loss(model.AsDiffusionModel(cond), x0, generator);
        }, log, progress, cancel);
        // The run's model is the averaged one.
        ema.CopyTo(model);
        model.Eval();
        model.Save(Path.Combine(o.RunDirectory, WeightsFile), new Dictionary<string, string> { ["step"] = loop.Step.ToString(), ["preset"] = o.Preset });
        log.Finish();
        return model;
    }

    private static LatentCache LoadOrBuildCache(DiTTrainingOptions o, int frames, int size, IProgress<string>? status)
    {
        var path = Path.Combine(o.RunDirectory, LatentsFile);
        if (File.Exists(path)) return LatentCache.Load(path);
        using var dataset = VideoDataset.Open(o.DataDirectory);
        if (dataset.Count <= o.Holdout + o.BatchSize)
            throw new ArgumentException($"{o.DataDirectory} has {dataset.Count} clips: too few for a holdout of {o.Holdout} and batches of {o.BatchSize}");
        using var vae = VaeTraining.Load(o.VaeRun, o.Device);
        var train = new SubsetDataset(dataset, 0, dataset.Count - o.Holdout);
        var clock = Stopwatch.StartNew();
        var cache = LatentCache.Build(vae, train, frames, size, o.Device,
            new SynchronousProgress<(long Done, long Total)>(p => status?.Report($"encoding clips with the VAE: {p.Done}/{p.Total}")));
        cache.Save(path);
        status?.Report($"encoded {cache.Count} clips into latents {Tensor.FormatShape(cache.Latents.Shape)} in {clock.Elapsed.TotalSeconds:F0} s");
        return cache;
    }

    private static CaptionTokenizer LoadOrBuildTokenizer(DiTTrainingOptions o, LatentCache cache)
    {
        var path = Path.Combine(o.RunDirectory, TokenizerFile);
        if (File.Exists(path)) return LoadTokenizer(o.RunDirectory);
        var tokenizer = CaptionTokenizer.Build(cache.Captions);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(tokenizer.Vocabulary));
        return tokenizer;
    }

    public static CaptionTokenizer LoadTokenizer(string run) =>
        new(JsonSerializer.Deserialize<string[]>(File.ReadAllText(Path.Combine(run, TokenizerFile)))
            ?? throw new InvalidDataException($"{run}/{TokenizerFile} holds no vocabulary"));

    private static void WriteConfig(DiTTrainingOptions o, DiTConfig config, int frames, int size, int textLength)
    {
        var json = new JsonObject
        {
            ["model"] = "dit", ["preset"] = o.Preset, ["config"] = JsonSerializer.SerializeToNode(config, ConfigJson.Options),
            ["data"] = Path.GetFullPath(o.DataDirectory), ["vae_run"] = Path.GetFullPath(o.VaeRun),
            ["frames"] = frames, ["size"] = size, ["text_length"] = textLength,
            ["batch"] = o.BatchSize, ["accumulate"] = o.Accumulate, ["lr"] = o.LearningRate, ["steps"] = o.Steps, ["minutes"] = o.Minutes,
            ["flow"] = JsonSerializer.SerializeToNode(o.Flow), ["seed"] = o.Seed, ["device"] = o.Device.ToString(),
            ["mixed_precision"] = o.MixedPrecision?.Name(),
        };
        AtomicFile.WriteAllText(Path.Combine(o.RunDirectory, "config.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
