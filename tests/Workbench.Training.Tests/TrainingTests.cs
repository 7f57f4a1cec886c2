using System.Text.Json.Nodes;
using Workbench.Diffusion;
using Workbench.Models;
using Workbench.Pipelines;

namespace Workbench.Training.Tests;

public class TrainingTests(TrainingFixture fixture) : IClassFixture<TrainingFixture>
{
    private static readonly DiTConfig Small = DiTConfig.Tiny with { Hidden = 32, Depth = 2, Heads = 2, TextHidden = 32, TextDepth = 1, TextHeads = 2 };

    private DiTTrainingOptions Options(string run, int steps) => new()
    {
        DataDirectory = fixture.Data, VaeRun = fixture.VaeRun, RunDirectory = run, Config = Small,
        BatchSize = 4, Steps = steps, Holdout = 8, SaveEvery = 5, WarmupSteps = 2, Seed = 3,
    };

    private static double[] Losses(string run) =>
        File.ReadLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!["Loss"]!.GetValue<double>()).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AResumedRunRepeatsTheUninterruptedLossCurve(int accumulate)
    {
        var whole = Path.Combine(fixture.Root, $"whole-{accumulate}");
        var split = Path.Combine(fixture.Root, $"split-{accumulate}");
        DiTTraining.Train(Options(whole, 12) with { Accumulate = accumulate }).Dispose();
        // The same run interrupted after step 10 (a checkpoint step), then resumed to 12.
        using var stop = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            DiTTraining.Train(Options(split, 12) with { Accumulate = accumulate },
                new SynchronousProgress<TrainStep>(s => { if (s.Step == 10) stop.Cancel(); }), null, stop.Token));
        Assert.Equal(10, Losses(split).Length);
        DiTTraining.Train(Options(split, 12) with { Resume = true, Accumulate = accumulate }).Dispose();
        var a = Losses(whole);
        var b = Losses(split);
        Assert.Equal(12, a.Length);
        Assert.Equal(12, b.Length);
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i], 6);
        using var store = RunStore.Open(RunStore.PathFor(split));
        var id = store.Find(split)!.Value;
        Assert.Equal(12, store.Series(id, "loss").Count);
        Assert.Equal(b[^1], store.Series(id, "loss")[^1].Value, 9);
    }

    [Fact]
    public void AResumedVaeRunWithAccumulationRepeatsTheUninterruptedLossCurve()
    {
        // 40 training clips in micro-batches of 4 and 2 per step: 5 steps an epoch, so step 6 resumes inside
        // epoch 1 (micro-batch 12), and the posterior noise generator must continue where it was.
        VaeTrainingOptions Vae(string run) => new()
        {
            DataDirectory = fixture.Data, RunDirectory = run, Config = VaeConfig.Tiny with { Channels = [8, 16, 16] },
            Frames = 5, Size = 16, BatchSize = 4, Accumulate = 2, Steps = 8, Holdout = 8, WarmupSteps = 2, SaveEvery = 3,
        };
        var whole = Path.Combine(fixture.Root, "vae-whole");
        var split = Path.Combine(fixture.Root, "vae-split");
        VaeTraining.Train(Vae(whole)).Dispose();
        using var stop = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            VaeTraining.Train(Vae(split), new SynchronousProgress<TrainStep>(s => { if (s.Step == 6) stop.Cancel(); }), stop.Token));
        Assert.EndsWith("step-0000006", Checkpoint.Latest(split));
        VaeTraining.Train(Vae(split) with { Resume = true }).Dispose();
        var a = Losses(whole);
        var b = Losses(split);
        Assert.Equal(8, a.Length);
        Assert.Equal(a, b);
        // A different accumulation would feed the rest of the run other clips: refused, naming both, run untouched.
        var config = File.ReadAllText(Path.Combine(split, "config.json"));
        var e = Assert.Throws<ArgumentException>(() => VaeTraining.Train(Vae(split) with { Resume = true, Accumulate = 1, Steps = 9 }));
        Assert.Contains("4 × 2", e.Message);
        Assert.Contains("4 × 1", e.Message);
        Assert.Equal(config, File.ReadAllText(Path.Combine(split, "config.json")));
    }

    [Fact]
    public void AFeatureNetworkRunIsInTheRunStore()
    {
        var run = Path.Combine(fixture.Root, "features");
        using var net = Workbench.Metrics.FeatureNetTraining.Train(new Workbench.Metrics.FeatureNetTrainingOptions
        {
            DataDirectory = fixture.Data, RunDirectory = run, Config = new() { Width = 8, FeatureDim = 16, Frames = 4, Size = 16 },
            BatchSize = 4, Accumulate = 2, Steps = 3, Holdout = 8, WarmupSteps = 1,
        });
        Assert.Equal(3, Losses(run).Length);
        using var store = RunStore.Open(RunStore.PathFor(run));
        var info = store.Runs().Single(r => r.Path == Path.GetFullPath(run));
        Assert.Equal(("features", "finished", 3L), (info.Kind, info.Status, info.LastStep));
        Assert.Equal(Losses(run), store.Series(info.Id, "loss").Select(p => p.Value));
    }

    [Fact]
    public void AnIncompleteCheckpointIsIgnoredAndTheLastCompleteOneIsUsed()
    {
        var run = Path.Combine(fixture.Root, "partial");
        DiTTraining.Train(Options(run, 5)).Dispose();
        var complete = Checkpoint.Latest(run);
        Assert.EndsWith("step-0000005", complete);
        // A crash while writing step 10: its folder exists without state.json and the pointer names it.
        var broken = Path.Combine(Checkpoint.Folder(run), "step-0000010");
        Directory.CreateDirectory(broken);
        File.WriteAllBytes(Path.Combine(broken, Checkpoint.Model), [1, 2, 3]);
        File.WriteAllText(Path.Combine(Checkpoint.Folder(run), "latest"), "step-0000010");
        Assert.Equal(complete, Checkpoint.Latest(run));
    }

    [Fact]
    public void OneBatchIsDrivenToNearZeroLoss()
    {
        // The whole stack (DiT, rectified flow, AdamW, backward) memorises a fixed (x0, noise, t) batch.
        Workbench.Torch.Torch.ManualSeed(0);
        using var model = new SpacetimeDiT(Small with { Text = TextConditioning.None, InChannels = 2 });
        using var adam = new AdamW(model.NamedParameters(), lr: 3e-3, weightDecay: 0);
        var objective = new RectifiedFlowObjective();
        using var data = DisposeScope.Enter();
        var x0 = Tensor.Randn([2, 2, 2, 4, 4]);
        using var generator = new Generator(7);
        double first = 0, last = 0;
        for (int step = 0; step < 300; step++)
        {
            using var scope = DisposeScope.Enter();
            generator.ManualSeed(7); // the same t and noise every step
            var loss = objective.Loss(model.AsDiffusionModel(), x0, generator);
            if (step == 0) first = loss.Item<double>();
            last = loss.Item<double>();
            loss.Backward();
            adam.Step();
            model.ZeroGrad();
        }
        Assert.True(first > 0.5, $"the initial loss should be large, was {first}");
        Assert.True(last < 0.01 * first, $"loss went from {first} to {last}");
    }

    [Fact]
    public void APromptWithAnUnknownWordIsReported()
    {
        var run = Path.Combine(fixture.Root, "sample");
        DiTTraining.Train(Options(run, 2)).Dispose();
        using var pipeline = TextToVideo.Load(run);
        var e = Assert.Throws<UnknownWordsException>(() => pipeline.Tokenize("a purple elephant falls"));
        Assert.Contains("purple", e.Message);
        Assert.Contains("elephant", e.Message);
        using var dataset = Workbench.Data.VideoDataset.Open(fixture.Data);
        var caption = dataset.Get(0).Caption;                         // words the model was trained on
        var clip = pipeline.Generate(caption, new GenerationOptions { Steps = 2 });
        Assert.Equal((5, 16, 16, 3), (clip.Frames, clip.Height, clip.Width, clip.Channels));
    }
}
