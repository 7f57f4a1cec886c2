using System.Text.Json;
using System.Text.Json.Nodes;
using Workbench.Models;
using Workbench.Pipelines;
using Workbench.Training;

namespace Workbench.Metrics.Tests;

/// <summary>
/// A tiny world for <see cref="RunEvaluation"/>, made once: 20 Bouncing Shapes clips (the last 8 held out), a randomly
/// initialised VAE run and feature-net run, and two randomly initialised DiT runs under one run store: A with
/// checkpoints at steps 10 and 20, B with one at step 5.
/// </summary>
public sealed class EvaluationWorld : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "wb-eval-" + Guid.NewGuid().ToString("N"));
    public string Data => Path.Combine(Root, "data");
    public string Features => Path.Combine(Root, "features");
    public string RunA => Path.Combine(Root, "runs", "a");
    public string RunB => Path.Combine(Root, "runs", "b");
    public string VaeRun => Path.Combine(Root, "runs", "vae");
    public DiTConfig Config { get; }
    public int TextLength { get; }
    public const int Batch = 4;

    public EvaluationWorld()
    {
        var shapes = new BouncingShapes(new BouncingShapesOptions { Size = 16, Frames = 5 });
        var captions = new List<string>();
        using (var writer = new VideoDatasetWriter(Data, 5, 16, 16, 3, new JsonObject { ["name"] = "shapes" }))
        {
            for (int i = 0; i < 20; i++)
            {
                var clip = shapes.Generate(1, i);
                captions.Add(clip.Caption);
                writer.Add(clip);
            }
            writer.Complete();
        }
        Workbench.Torch.Torch.ManualSeed(0);
        var vaeConfig = VaeConfig.Tiny with { Channels = [8, 16, 16] };
        Directory.CreateDirectory(VaeRun);
        File.WriteAllText(Path.Combine(VaeRun, "config.json"), new JsonObject { ["model"] = "vae", ["config"] = JsonSerializer.SerializeToNode(vaeConfig), ["frames"] = 5, ["size"] = 16 }.ToJsonString());
        using (var vae = new CausalVideoVae(vaeConfig)) vae.Save(Path.Combine(VaeRun, VaeTraining.WeightsFile));

        var featureConfig = new FeatureNetConfig { Width = 8, FeatureDim = 16, Frames = 5, Size = 16 };
        Directory.CreateDirectory(Features);
        File.WriteAllText(Path.Combine(Features, "config.json"), new JsonObject { ["model"] = "video-features", ["config"] = JsonSerializer.SerializeToNode(featureConfig) }.ToJsonString());
        using (var net = new VideoFeatureNet(featureConfig)) net.Save(Path.Combine(Features, FeatureNetTraining.WeightsFile));

        var tokenizer = CaptionTokenizer.Build(captions);
        TextLength = captions.Max(c => CaptionTokenizer.Words(c).Count) + 1;
        Config = DiTConfig.Tiny with
        {
            Hidden = 32, Depth = 1, Heads = 2, TextHidden = 16, TextHeads = 2, TextDepth = 1, InChannels = vaeConfig.LatentChannels,
            VocabSize = tokenizer.VocabularySize, MaxTextLength = TextLength, Attention = Models.Attention.AttentionLayout.Factorized,
        };
        WriteDiTRun(RunA, tokenizer, [(10, 12.5), (20, 30)], holdout: 8);
        WriteDiTRun(RunB, tokenizer, [(5, 4)], holdout: null);
    }

    private void WriteDiTRun(string run, CaptionTokenizer tokenizer, (long Step, double Seconds)[] checkpoints, int? holdout)
    {
        Directory.CreateDirectory(run);
        var json = new JsonObject
        {
            ["model"] = "dit", ["config"] = JsonSerializer.SerializeToNode(Config, ConfigJson.Options), ["vae_run"] = VaeRun,
            ["frames"] = 5, ["size"] = 16, ["text_length"] = TextLength, ["batch"] = Batch,
        };
        if (holdout is { } h) json["holdout"] = h;
        File.WriteAllText(Path.Combine(run, "config.json"), json.ToJsonString());
        File.WriteAllText(Path.Combine(run, DiTTraining.TokenizerFile), JsonSerializer.Serialize(tokenizer.Vocabulary));
        foreach (var (step, seconds) in checkpoints)
        {
            Workbench.Torch.Torch.ManualSeed((ulong)step);
            using var model = new SpacetimeDiT(Config);
            using (new NoGrad())
                foreach (var (_, p) in model.NamedParameters())  // random weights, so that checkpoints differ (DiT's initialisation outputs zero)
                {
                    using var noise = Tensor.Randn(p.Shape) * 0.05;
                    p.Value.Add_(noise);
                }
            Checkpoint.Save(run, step, new Dictionary<string, IReadOnlyList<(string, Tensor)>> { [Checkpoint.EmaFile] = model.StateDict() },
                new JsonObject { ["elapsed_seconds"] = seconds });
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, true); } catch (IOException) { }
    }
}

public class RunEvaluationTests(EvaluationWorld world) : IClassFixture<EvaluationWorld>
{
    private static readonly GenerationOptions Fast = new() { Steps = 2, Guidance = 2 };

    private RunEvaluationOptions Options(string run, params string[] metrics) => new()
    {
        RunDirectory = run, DataDirectory = world.Data, Metrics = metrics, Samples = 4, FeaturesRun = world.Features, Generation = Fast, Holdout = 8,
    };

    private double FlopsPerStep()
    {
        // Latent of a 5×16×16 clip through the tiny VAE (4× time, 4× space): 4 × 2 × 4 × 4.
        return DiTCost.Estimate(world.Config, 2, 4, 4, EvaluationWorld.Batch, textTokens: world.TextLength).TrainingFlops;
    }

    [Fact]
    public void ValuesLandInTheStoreAtTheirCheckpointsStepAndCurvesOfBothRunsComeFromOneQuery()
    {
        var a = RunEvaluation.Evaluate(Options(world.RunA, "fvd", "kid", "vbench", "physics", "prompt") with { Checkpoints = "all", Holdout = null });
        var b = RunEvaluation.Evaluate(Options(world.RunB, "fvd", "kid"));
        Assert.Equal("@steps2,cfg2", a.Suffix);
        Assert.Equal([10L, 20L], a.Checkpoints.Select(c => c.Step));
        Assert.Equal(a.StorePath, b.StorePath);

        using var store = RunStore.Open(a.StorePath);
        var curves = store.EvaluationCurves("fvd@steps2,cfg2");
        Assert.Equal([("a", 10L), ("a", 20L), ("b", 5L)], curves.Select(p => (p.Run, p.Step)));
        Assert.Equal([12.5, 30.0, 4.0], curves.Select(p => p.TrainSeconds!.Value));
        double perStep = FlopsPerStep();
        Assert.Equal([10 * perStep, 20 * perStep, 5 * perStep], curves.Select(p => p.TrainFlops!.Value));
        Assert.All(curves, p => Assert.Equal(4L, p.Samples));
        Assert.Equal(a.Checkpoints.Select(c => c.Values["fvd"]).Append(b.Checkpoints[0].Values["fvd"]), curves.Select(p => p.Value));
        Assert.NotEqual(curves[0].Value, curves[1].Value);                      // the two checkpoints' weights differ

        foreach (var name in new[] { "kid", "temporal_flickering", "motion_smoothness", "dynamic_degree", "subject_consistency", "objects_tracked", "prompt_adherence", "sampling_seconds" })
            Assert.Equal(2, store.EvaluationCurves(name + "@steps2,cfg2").Count(p => p.Run == "a"));
        // The real clips' statistics are the reference column (FVD of real against real is not computed).
        Assert.Contains("prompt_adherence", a.Reference.Keys);
        Assert.DoesNotContain("fvd", a.Reference.Keys);
    }

    [Fact]
    public void StoredFvdIsTheFvdOfTheSeededClipsOfTheHeldOutCaptions()
    {
        // Independently: the last 8 clips are held out, the first 4 of them are the real side; clip i is sampled
        // from the checkpoint's EMA weights with its caption and seed i.
        // Batches of one: a batch follows each clip's own run only to float rounding, which can move a pixel by one level.
        var report = RunEvaluation.Evaluate(Options(world.RunA, "fvd", "kid") with { Checkpoints = "10", BatchSize = 1 });
        using var dataset = VideoDataset.Open(world.Data);
        var real = Enumerable.Range(12, 4).Select(i => dataset.Get(i)).ToList();
        using var pipeline = TextToVideo.Load(world.RunA, checkpoint: RunEvaluation.SelectCheckpoints(world.RunA, "10")[0].Folder);
        var fake = real.Select((c, i) => pipeline.Generate(c.Caption, Fast with { Seed = (ulong)i })).ToList();
        using var net = FeatureNetTraining.Load(world.Features);
        var expected = Fvd.Compare(Fvd.Extract(net, new GeneratedDataset(4, i => real[(int)i])), Fvd.Extract(net, new GeneratedDataset(4, i => fake[(int)i])));
        Assert.Equal(expected.Fvd, report.Checkpoints[0].Values["fvd"], 9);
        Assert.Equal(expected.Kid.Value, report.Checkpoints[0].Values["kid"], 12);
    }

    [Fact]
    public void SamplingSettingsNameTheStoredVariant()
    {
        Assert.Equal("", RunEvaluation.Suffix(new GenerationOptions()));
        Assert.Equal("@heun,steps10,merge0.5,lpl", RunEvaluation.Suffix(new GenerationOptions
        {
            Sampler = "heun", Steps = 10, TokenMerging = 0.5, Leap = new Diffusion.LinearProportionalLeap(),
        }));
        var merged = RunEvaluation.Evaluate(Options(world.RunB, "fvd") with { Generation = Fast with { TokenMerging = 0.5 } });
        Assert.Equal("@steps2,cfg2,merge0.5", merged.Suffix);
        using var store = RunStore.Open(merged.StorePath);
        Assert.Single(store.EvaluationCurves("fvd@steps2,cfg2,merge0.5"));
    }

    [Fact]
    public void CheckpointsAreChosenByStep()
    {
        Assert.Equal([20L], RunEvaluation.SelectCheckpoints(world.RunA, "latest").Select(c => c.Step));
        Assert.Equal([10L, 20L], RunEvaluation.SelectCheckpoints(world.RunA, "20, 10").Select(c => c.Step));
        var e = Assert.Throws<ArgumentException>(() => RunEvaluation.SelectCheckpoints(world.RunA, "15"));
        Assert.Contains("no checkpoint of step 15 (it has 10, 20)", e.Message);
        Assert.Throws<ArgumentException>(() => RunEvaluation.SelectCheckpoints(world.RunA, "last"));
    }

    [Fact]
    public void BadInputGetsClearErrors()
    {
        var missing = Path.Combine(world.Root, "runs", "nothing-here");
        Assert.Contains("is not a folder", Assert.Throws<DirectoryNotFoundException>(() => RunEvaluation.Evaluate(Options(missing, "fvd"))).Message);
        Assert.Contains("not a DiT run", Assert.Throws<InvalidDataException>(() => RunEvaluation.Evaluate(Options(world.VaeRun, "fvd"))).Message);

        var empty = Path.Combine(world.Root, "runs", "no-checkpoints");
        Directory.CreateDirectory(empty);
        File.Copy(Path.Combine(world.RunB, "config.json"), Path.Combine(empty, "config.json"), overwrite: true);
        Assert.Contains("no complete checkpoints", Assert.Throws<FileNotFoundException>(() => RunEvaluation.Evaluate(Options(empty, "fvd"))).Message);

        var unknown = Assert.Throws<ArgumentException>(() => RunEvaluation.Evaluate(Options(world.RunB, "fvd", "clip-score")));
        Assert.Contains("'clip-score'", unknown.Message);
        Assert.Contains("fvd, kid, vbench, physics, prompt", unknown.Message);
        Assert.Contains("feature network", Assert.Throws<ArgumentException>(() => RunEvaluation.Evaluate(Options(world.RunB, "kid") with { FeaturesRun = null })).Message);
        Assert.Contains("only 8 clips are held out", Assert.Throws<ArgumentException>(() => RunEvaluation.Evaluate(Options(world.RunB, "physics") with { Samples = 9 })).Message);
        // Run B's config has no holdout: the default (64, as in training) is more than the dataset holds.
        Assert.Contains("fewer than the 64 held out", Assert.Throws<ArgumentException>(() => RunEvaluation.Evaluate(Options(world.RunB, "physics") with { Holdout = null })).Message);
    }
}
