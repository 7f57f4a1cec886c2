using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workbench.Data;
using Workbench.Models;
using Workbench.Pipelines;
using Workbench.Torch;
using Workbench.Training;

namespace Workbench.Metrics;

/// <summary>What <see cref="RunEvaluation.Evaluate"/> evaluates, against what, and how it samples.</summary>
public sealed record RunEvaluationOptions
{
    /// <summary>A run folder of <c>workbench train dit</c>.</summary>
    public required string RunDirectory { get; init; }
    /// <summary>The dataset folder; its last <see cref="Holdout"/> clips are the held-out split (prompts and real clips).</summary>
    public required string DataDirectory { get; init; }
    /// <summary>Any of <see cref="RunEvaluation.KnownMetrics"/>.</summary>
    public IReadOnlyList<string> Metrics { get; init; } = ["fvd", "kid"];
    /// <summary>Clips generated per checkpoint, one per held-out clip's caption, compared with those N real clips.</summary>
    public int Samples { get; init; } = 64;
    /// <summary><c>latest</c>, <c>all</c>, or training steps separated by commas.</summary>
    public string Checkpoints { get; init; } = "latest";
    /// <summary>A feature-network run (<c>workbench train features</c>): needed by fvd, kid and prompt, used by vbench's consistency dimensions.</summary>
    public string? FeaturesRun { get; init; }
    /// <summary>Sampler, steps, guidance, token merging, leap; clip i uses seed <c>Seed + i</c> at every checkpoint.</summary>
    public GenerationOptions Generation { get; init; } = new();
    /// <summary>Held-out clips at the end of the dataset (default: the run's <c>holdout</c>, else 64, DiT training's default).</summary>
    public int? Holdout { get; init; }
    /// <summary>Clips sampled together (<see cref="TextToVideo.GenerateBatch"/>: clip i still starts from seed Seed + i).</summary>
    public int BatchSize { get; init; } = 16;
    public Device Device { get; init; } = Device.Cpu;
}

/// <summary>Where an evaluation is: checkpoint <see cref="Checkpoint"/> of <see cref="Checkpoints"/>, and within it a stage's progress.</summary>
public sealed record EvaluationProgress(int Checkpoint, int Checkpoints, long Step, string Stage, int Done, int Total);

/// <summary>The values of one checkpoint (stored names, see <see cref="RunEvaluationReport.Suffix"/>), and the training compute behind it.</summary>
public sealed record CheckpointEvaluation(long Step, double TrainFlops, double? TrainSeconds, double SamplingSeconds, IReadOnlyDictionary<string, double> Values);

/// <summary>
/// An evaluation of a run's checkpoints. Values are stored under metric name + <see cref="Suffix"/>, which names the
/// sampling settings that differ from the defaults (e.g. <c>fvd@steps10,merge0.5</c>), so evaluations of one
/// checkpoint with and without a speed-up live side by side. <see cref="Reference"/> holds the same statistics of the
/// real held-out clips (the floor or ceiling a generator can reach; not stored).
/// </summary>
public sealed record RunEvaluationReport(string Run, long RunId, string StorePath, int Samples, string Suffix, string? Features,
    IReadOnlyList<CheckpointEvaluation> Checkpoints, IReadOnlyDictionary<string, double> Reference);

/// <summary>
/// Evaluates a DiT run end to end: for each chosen checkpoint (EMA weights), samples one clip per caption of the
/// first N held-out clips, computes the chosen metrics against those N real clips, and stores every value in the run
/// store with the checkpoint's step and training compute (FLOPs from <see cref="DiTCost"/> × steps × clips per step,
/// and seconds), so <see cref="RunStore.EvaluationCurves"/> returns metric-vs-step and metric-vs-compute curves of
/// every run in one query.
/// </summary>
public static class RunEvaluation
{
    public static readonly IReadOnlyList<string> KnownMetrics = ["fvd", "kid", "vbench", "physics", "prompt"];

    public static RunEvaluationReport Evaluate(RunEvaluationOptions o, IProgress<EvaluationProgress>? progress = null, CancellationToken cancel = default)
    {
        var metrics = ParseMetrics(o.Metrics);
        var run = ReadRun(o.RunDirectory);
        var checkpoints = SelectCheckpoints(o.RunDirectory, o.Checkpoints);
        if (o.Samples < 2) throw new ArgumentOutOfRangeException(nameof(o), o.Samples, "samples must be at least 2 (FVD and KID compare sets)");
        bool needsFeatures = metrics.Overlaps(["fvd", "kid", "prompt"]);
        if (needsFeatures && o.FeaturesRun is null)
            throw new ArgumentException($"{string.Join(", ", metrics.Intersect(["fvd", "kid", "prompt"]))} need a feature network: give a feature-network run (train one with `workbench train features`)");
        var suffix = Suffix(o.Generation);

        using var net = o.FeaturesRun is null ? null : FeatureNetTraining.Load(o.FeaturesRun, o.Device);
        using var pipeline = TextToVideo.Load(o.RunDirectory, o.Device, checkpoints[0].Folder);
        var real = HeldOutClips(o, run, pipeline.Frames, pipeline.Size);
        var reference = Score(metrics, real, real, null, net, o.Device);
        double[,]? realFeatures = metrics.Overlaps(["fvd", "kid"]) ? Fvd.Extract(net!, AsDataset(real), device: o.Device) : null;
        var flopsPerStep = TrainingFlopsPerStep(pipeline, run);

        using var store = RunStore.Open(RunStore.PathFor(o.RunDirectory));
        long runId = store.Find(o.RunDirectory) ?? RegisterFinished(store, o.RunDirectory, run);
        var results = new List<CheckpointEvaluation>();
        for (int c = 0; c < checkpoints.Count; c++)
        {
            var (step, folder) = checkpoints[c];
            if (c > 0) pipeline.Model.Load(Path.Combine(folder, Checkpoint.EmaFile));
            var clock = Stopwatch.StartNew();
            progress?.Report(new EvaluationProgress(c, checkpoints.Count, step, "sampling", 0, real.Count));
            var generated = pipeline.GenerateBatch(real.Select(clip => clip.Caption).ToList(), o.Generation, batchSize: o.BatchSize,
                progress: new SynchronousProgress<int>(done => progress?.Report(new EvaluationProgress(c, checkpoints.Count, step, "sampling", done, real.Count))),
                cancel: cancel).ToList();
            double samplingSeconds = clock.Elapsed.TotalSeconds;
            progress?.Report(new EvaluationProgress(c, checkpoints.Count, step, "metrics", 0, 1));
            var values = Score(metrics, generated, real, realFeatures, net, o.Device);
            values["sampling_seconds"] = samplingSeconds;
            double? seconds = Checkpoint.ReadState(folder)["elapsed_seconds"]?.GetValue<double>();
            store.RecordCheckpoint(runId, step, flopsPerStep * step, seconds);
            var details = Details(o, net, samplingSeconds);
            foreach (var (name, value) in values) store.AddEvaluation(runId, step, name + suffix, value, generated.Count, details);
            results.Add(new CheckpointEvaluation(step, flopsPerStep * step, seconds, samplingSeconds, values));
            progress?.Report(new EvaluationProgress(c + 1, checkpoints.Count, step, "done", 1, 1));
        }
        return new RunEvaluationReport(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(o.RunDirectory))), runId, store.Path,
            real.Count, suffix, net is null ? null : ((IVideoFeatureExtractor)net).Name, results, reference);
    }

    /// <summary>The metric names, checked: unknown ones are named with the known ones.</summary>
    public static HashSet<string> ParseMetrics(IEnumerable<string> names)
    {
        var set = names.Select(n => n.Trim().ToLowerInvariant()).Where(n => n.Length > 0).ToHashSet();
        var unknown = set.Except(KnownMetrics).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"unknown metric{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(u => $"'{u}'"))} (known: {string.Join(", ", KnownMetrics)})");
        if (set.Count == 0) throw new ArgumentException($"no metrics chosen (known: {string.Join(", ", KnownMetrics)})");
        return set;
    }

    /// <summary>
    /// The complete checkpoints of <paramref name="run"/> in step order: the latest, all, or the given steps
    /// (<paramref name="selection"/> = <c>latest</c> | <c>all</c> | <c>500,1000</c>).
    /// </summary>
    public static IReadOnlyList<(long Step, string Folder)> SelectCheckpoints(string run, string selection)
    {
        var all = Directory.Exists(Checkpoint.Folder(run))
            ? Directory.GetDirectories(Checkpoint.Folder(run), "step-*").Where(d => File.Exists(Path.Combine(d, Checkpoint.State)))
                .Select(d => (Step: Checkpoint.ReadState(d)["step"]!.GetValue<long>(), Folder: d)).OrderBy(c => c.Step).ToList()
            : [];
        if (all.Count == 0) throw new FileNotFoundException($"{run} has no complete checkpoints (none in {Checkpoint.Folder(run)}); train it with `workbench train dit` first");
        switch (selection.Trim().ToLowerInvariant())
        {
            case "latest": return [all[^1]];
            case "all": return all;
        }
        var chosen = new List<(long, string)>();
        foreach (var part in selection.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var step))
                throw new ArgumentException($"checkpoints are 'latest', 'all' or steps separated by commas, got '{selection}'");
            var match = all.Where(c => c.Step == step).ToList();
            if (match.Count == 0) throw new ArgumentException($"{run} has no checkpoint of step {step} (it has {string.Join(", ", all.Select(c => c.Step))})");
            chosen.Add(match[0]);
        }
        return chosen.Distinct().OrderBy(c => c.Item1).ToList();
    }

    /// <summary>The sampling settings that differ from <see cref="GenerationOptions"/>' defaults, as a metric-name suffix ("" when none).</summary>
    public static string Suffix(GenerationOptions g)
    {
        var defaults = new GenerationOptions();
        var parts = new List<string>();
        if (!g.Sampler.Equals(defaults.Sampler, StringComparison.OrdinalIgnoreCase)) parts.Add(g.Sampler.ToLowerInvariant());
        if (g.Steps != defaults.Steps) parts.Add($"steps{g.Steps}");
        if (g.Guidance != defaults.Guidance) parts.Add(FormattableString.Invariant($"cfg{g.Guidance:G}"));
        if (g.GuidanceRescale != defaults.GuidanceRescale) parts.Add(FormattableString.Invariant($"rescale{g.GuidanceRescale:G}"));
        if (g.TokenMerging > 0) parts.Add(FormattableString.Invariant($"merge{g.TokenMerging:G}"));
        if (g.Leap is { } leap) parts.Add(leap == new Diffusion.LinearProportionalLeap() ? "lpl" : FormattableString.Invariant($"lpl{leap.CosineThreshold:G}/{leap.MinProgress:G}"));
        return parts.Count == 0 ? "" : "@" + string.Join(",", parts);
    }

    private static JsonObject ReadRun(string run)
    {
        var path = Path.Combine(run, "config.json");
        if (!Directory.Exists(run)) throw new DirectoryNotFoundException($"{run} is not a folder (expected a run folder of `workbench train dit`)");
        if (!File.Exists(path)) throw new FileNotFoundException($"{run} is not a training run (no config.json)", path);
        var json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path} is not a JSON object");
        if (json["model"]?.GetValue<string>() != "dit") throw new InvalidDataException($"{run} is a {json["model"]?.GetValue<string>() ?? "unknown"} run, not a DiT run");
        return json;
    }

    // A run trained before the store existed (or moved here) joins it for its evaluations.
    private static long RegisterFinished(RunStore store, string runDirectory, JsonObject run)
    {
        long id = store.Register(runDirectory, "dit", run.ToJsonString());
        store.SetStatus(id, File.Exists(Path.Combine(runDirectory, DiTTraining.WeightsFile)) ? "finished" : "stopped");
        return id;
    }

    /// <summary>The first N held-out clips at the run's clip length and size (the real side of every comparison).</summary>
    private static List<VideoClip> HeldOutClips(RunEvaluationOptions o, JsonObject run, int frames, int size)
    {
        int holdout = o.Holdout ?? run["holdout"]?.GetValue<int>() ?? 64;
        using var dataset = VideoDataset.Open(o.DataDirectory);
        if (holdout > dataset.Count) throw new ArgumentException($"{o.DataDirectory} has {dataset.Count} clips, fewer than the {holdout} held out");
        if (o.Samples > holdout) throw new ArgumentException($"{o.Samples} samples were asked for, but only {holdout} clips are held out; ask for at most {holdout}");
        var heldOut = new SubsetDataset(dataset, dataset.Count - holdout, o.Samples);
        var loader = new DataLoader(heldOut, 16, shuffle: false, dropLast: false, frames: frames, size: size);
        var clips = new List<VideoClip>();
        foreach (var batch in loader.Epoch())
        {
            using var _ = batch;
            for (int i = 0; i < batch.Clips.Count; i++) clips.Add(ToClip(batch.Video[i], batch.Clips[i]));
        }
        return clips;
    }

    // A (C, T, H, W) video in [-1, 1] as uint8 frames, with the source clip's caption and metadata.
    private static VideoClip ToClip(Tensor video, VideoClip source)
    {
        using var scope = DisposeScope.Enter();
        var bytes = ((video.Permute(1, 2, 3, 0) + 1) * 127.5).Round().Clamp(0, 255).To(DType.UInt8).Contiguous(); // (T, H, W, C)
        return source with { Pixels = bytes.ToArray<byte>(), Frames = (int)bytes.Size(0), Height = (int)bytes.Size(1), Width = (int)bytes.Size(2) };
    }

    private static GeneratedDataset AsDataset(IReadOnlyList<VideoClip> clips) => new(clips.Count, i => clips[(int)i]);

    /// <summary>Every chosen metric of <paramref name="clips"/> (against the real clips' features for FVD and KID).</summary>
    private static Dictionary<string, double> Score(HashSet<string> metrics, List<VideoClip> clips, List<VideoClip> real, double[,]? realFeatures,
        VideoFeatureNet? net, Device device)
    {
        var values = new Dictionary<string, double>();
        if (realFeatures is not null)
        {
            var report = Fvd.Compare(realFeatures, Fvd.Extract(net!, AsDataset(clips), device: device));
            if (metrics.Contains("fvd")) values["fvd"] = report.Fvd;
            if (metrics.Contains("kid")) values["kid"] = report.Kid.Value;
        }
        if (metrics.Contains("vbench"))
        {
            var v = Vbench.Evaluate(clips.Select((c, i) => ($"{i}", c)).ToList(), net);
            values["temporal_flickering"] = v.TemporalFlickering;
            values["motion_smoothness"] = v.MotionSmoothness;
            values["dynamic_degree"] = v.DynamicDegree;
            if (v.SubjectConsistency is { } subject) values["subject_consistency"] = subject;
            if (v.BackgroundConsistency is { } background) values["background_consistency"] = background;
        }
        if (metrics.Contains("physics"))
        {
            var p = Physics.Evaluate(clips);
            if (double.IsFinite(p.MeanResidual)) values["physics_residual"] = p.MeanResidual;
            values["objects_tracked"] = p.TrackedFraction;
            var permanence = Physics.Permanence(clips);
            if (permanence.Events > 0) values["permanence"] = permanence.Score;
        }
        if (metrics.Contains("prompt"))
        {
            var a = PromptAdherence.Evaluate(net!, clips, device);
            values["prompt_adherence"] = a.Overall;
            foreach (var (attribute, accuracy) in a.Accuracy) values[$"prompt_{attribute}"] = accuracy;
        }
        return values.Where(kv => double.IsFinite(kv.Value)).ToDictionary();
    }

    /// <summary>Training FLOPs per optimizer step: 3 × forward (DiTCost) at the run's clips per step and text length.</summary>
    private static double TrainingFlopsPerStep(TextToVideo pipeline, JsonObject run)
    {
        var (_, t, h, w) = pipeline.Vae.LatentShape(pipeline.Frames, pipeline.Size, pipeline.Size);
        long clips = (run["batch"]?.GetValue<long>() ?? 1) * (run["accumulate"]?.GetValue<long>() ?? 1);
        return DiTCost.Estimate(pipeline.Model.Config, t, h, w, clips, textTokens: pipeline.TextLength).TrainingFlops;
    }

    private static string Details(RunEvaluationOptions o, VideoFeatureNet? net, double samplingSeconds)
    {
        var g = o.Generation;
        return new JsonObject
        {
            ["data"] = Path.GetFullPath(o.DataDirectory), ["features_run"] = o.FeaturesRun is null ? null : Path.GetFullPath(o.FeaturesRun),
            ["features"] = net is null ? null : ((IVideoFeatureExtractor)net).Name,
            ["sampler"] = g.Sampler, ["steps"] = g.Steps, ["cfg"] = g.Guidance, ["rescale"] = g.GuidanceRescale, ["seed"] = g.Seed,
            ["token_merging"] = g.TokenMerging, ["lpl"] = g.Leap is null ? null : JsonSerializer.SerializeToNode(g.Leap),
            ["sampling_seconds"] = samplingSeconds, ["device"] = o.Device.ToString(),
        }.ToJsonString();
    }
}
