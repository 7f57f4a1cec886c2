using Workbench.Data;
using Workbench.Models;
using Workbench.Models.Attention;
using Workbench.Pipelines;
using Workbench.Torch;

namespace Workbench.Training.Tests;

/// <summary>
/// <see cref="TextToVideo.GenerateBatch"/>: a batch follows each prompt's own run (seed Seed + i), and another model
/// samples with its own weights, checked against an Euler loop with classifier-free guidance written out here.
/// </summary>
public class BatchGenerationTests(TrainingFixture fixture) : IClassFixture<TrainingFixture>
{
    private static readonly DiTConfig Small = DiTConfig.Tiny with { Hidden = 32, Depth = 2, Heads = 2, TextHidden = 32, TextDepth = 1, TextHeads = 2 };

    // A briefly trained pipeline whose weights are then jittered, so its predictions are far from the zero of adaLN-zero's start.
    private TextToVideo Pipeline(string name)
    {
        var run = Path.Combine(fixture.Root, name);
        DiTTraining.Train(new DiTTrainingOptions
        {
            DataDirectory = fixture.Data, VaeRun = fixture.VaeRun, RunDirectory = run, Config = Small,
            BatchSize = 4, Steps = 2, Holdout = 8, WarmupSteps = 1, Seed = 3,
        }).Dispose();
        var pipeline = TextToVideo.Load(run);
        pipeline.Model.LoadStateDict(Jittered(pipeline.Model, 11));
        return pipeline;
    }

    private static Dictionary<string, Tensor> Jittered(SpacetimeDiT model, ulong seed)
    {
        using var generator = new Generator(seed);
        return model.StateDict().ToDictionary(p => p.Name,
            p => p.Tensor.DType.IsFloatingPoint() ? (p.Tensor + Tensor.RandnLike(p.Tensor, generator) * 0.2).DetachFromScope() : p.Tensor);
    }

    private string[] Captions(int count)
    {
        using var dataset = VideoDataset.Open(fixture.Data);
        return Enumerable.Range(0, count).Select(i => dataset.Get(i).Caption).ToArray();
    }

    private static int MaxDifference(VideoClip a, VideoClip b) => a.Pixels.Zip(b.Pixels, (x, y) => Math.Abs(x - y)).Max();

    [Fact]
    public void ABatchFollowsEachPromptsOwnRun()
    {
        using var pipeline = Pipeline("batch-runs");
        var prompts = Captions(3);
        var options = new GenerationOptions { Steps = 3, Guidance = 3, Seed = 5 };
        var batch = pipeline.GenerateBatch(prompts, options, batchSize: 2);           // two batches: seeds 5, 6 and then 7
        Assert.Equal(3, batch.Count);
        for (int i = 0; i < 3; i++)
        {
            var alone = pipeline.Generate(prompts[i], options with { Seed = 5 + (ulong)i });
            Assert.Equal(prompts[i], batch[i].Caption);
            Assert.True(MaxDifference(alone, batch[i]) <= 1, $"clip {i} differs from its own run by {MaxDifference(alone, batch[i])}");
        }
        Assert.True(MaxDifference(batch[0], batch[1]) > 20, "different seeds should give different clips");
    }

    [Fact]
    public void AnotherModelSamplesWithItsOwnWeightsAsAnEulerLoopWithGuidance()
    {
        using var pipeline = Pipeline("batch-model");
        using var twin = new SpacetimeDiT(pipeline.Model.Config with { Attention = AttentionLayout.SpatialOnly });
        twin.LoadStateDict(Jittered(pipeline.Model, 12));
        twin.Eval();
        var prompts = Captions(2);
        const int steps = 4;
        const double w = 2.5;
        var options = new GenerationOptions { Steps = steps, Guidance = w, Seed = 9 };
        var clips = pipeline.GenerateBatch(prompts, options, model: twin);

        using var noGrad = new NoGrad();
        for (int i = 0; i < prompts.Length; i++)
        {
            using var scope = DisposeScope.Enter();
            using var generator = new Generator(9 + (ulong)i);
            var x = Tensor.Randn(pipeline.LatentShape(options), generator: generator);
            var text = twin.EncodeText(pipeline.Tokenize(prompts[i]));
            var nothing = twin.NullTextEmbedding(pipeline.TextLength);
            for (int k = 0; k < steps; k++)
            {
                double t = 1 - (double)k / steps, s = 1 - (double)(k + 1) / steps;  // rectified flow, no shift
                var time = Tensor.From(new[] { (float)t });
                var conditional = twin.Forward(x, time, new DiTConditioning { TextEmbedding = text });
                var unconditional = twin.Forward(x, time, new DiTConditioning { TextEmbedding = nothing });
                x = x + (unconditional + (conditional - unconditional) * w) * (s - t);
            }
            var expected = pipeline.Decode(x, prompts[i]);
            Assert.True(MaxDifference(expected, clips[i]) <= 1, $"clip {i} differs from the Euler loop by {MaxDifference(expected, clips[i])}");
            Assert.True(MaxDifference(pipeline.Generate(prompts[i], options with { Seed = 9 + (ulong)i }), clips[i]) > 20,
                "the pipeline's own model should give another clip");
        }
    }

    [Fact]
    public void AModelThatCannotReadThePipelinesLatentsIsRefused()
    {
        using var pipeline = Pipeline("batch-refused");
        using var other = new SpacetimeDiT(pipeline.Model.Config with { InChannels = 3 });
        var e = Assert.Throws<ArgumentException>(() => pipeline.GenerateBatch(Captions(1), new GenerationOptions { Steps = 1 }, model: other));
        Assert.Contains("3-channel latents", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.GenerateBatch(Captions(1), batchSize: 0));
    }
}
