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

    [Fact]
    public void AResumedRunRepeatsTheUninterruptedLossCurve()
    {
        var whole = Path.Combine(fixture.Root, "whole");
        var split = Path.Combine(fixture.Root, "split");
        DiTTraining.Train(Options(whole, 12)).Dispose();
        // The same run interrupted after step 10 (a checkpoint step), then resumed to 12.
        using var stop = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            DiTTraining.Train(Options(split, 12), new SynchronousProgress<TrainStep>(s => { if (s.Step == 10) stop.Cancel(); }), null, stop.Token));
        Assert.Equal(10, Losses(split).Length);
        DiTTraining.Train(Options(split, 12) with { Resume = true }).Dispose();
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
