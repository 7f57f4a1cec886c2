using System.Text.Json.Nodes;
using Workbench.NN;

namespace Workbench.Training.Tests;

/// <summary>Gradient accumulation in <see cref="TrainingLoop"/> against the plain full-batch step it stands in for.</summary>
public sealed class AccumulationTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "wb-accumulate-" + Guid.NewGuid().ToString("N"));

    // Conv, per-sample GroupNorm, SiLU, conv: nothing mixes the samples of a batch, so the mean loss over a
    // batch is the mean of the mean losses over its two halves.
    private sealed class SmallNet : Module
    {
        private readonly Conv2d _in, _out;
        private readonly GroupNorm _norm;

        public SmallNet()
        {
            _in = RegisterModule("conv_in", new Conv2d(2, 8, (3, 3), padding: (1, 1)));
            _norm = RegisterModule("norm", new GroupNorm(4, 8));
            _out = RegisterModule("conv_out", new Conv2d(8, 2, (3, 3), padding: (1, 1)));
        }

        public Tensor Forward(Tensor x) => _out.Forward(F.Silu(_norm.Forward(_in.Forward(x))));
    }

    private sealed record LoopOptions : ITrainingLoopOptions
    {
        public required string RunDirectory { get; init; }
        public int? Steps { get; init; }
        public double? Minutes { get; init; }
        public int BatchSize { get; init; }
        public int Accumulate { get; init; } = 1;
        public double LearningRate { get; init; } = 1e-2;
        public int WarmupSteps { get; init; }
        public double ClipGradNorm { get; init; } = 1.0;
        public int SaveEvery { get; init; } = 100;
        public bool Resume { get; init; }
    }

    private const int Batch = 8, Steps = 2;

    private static (Tensor Inputs, Tensor Targets) Data()
    {
        Workbench.Torch.Torch.ManualSeed(11);
        return (Tensor.Randn([Batch * Steps, 2, 6, 6]), Tensor.Randn([Batch * Steps, 2, 6, 6]));
    }

    private static Tensor MeanLoss(SmallNet net, (Tensor Inputs, Tensor Targets) data, long start, long count) =>
        F.MseLoss(net.Forward(data.Inputs.Narrow(0, start, count)), data.Targets.Narrow(0, start, count));

    private static SmallNet Net()
    {
        Workbench.Torch.Torch.ManualSeed(5); // the same initial weights for the reference and the loop
        return new SmallNet();
    }

    [Fact]
    public void TwoHalfBatchesPerStepGiveTheStepsOfTheWholeBatches()
    {
        using var scope = DisposeScope.Enter();
        var data = Data();
        var options = new LoopOptions
        {
            RunDirectory = Path.Combine(_root, "accumulated"), Steps = Steps, BatchSize = Batch / 2, Accumulate = 2, ClipGradNorm = 0.5,
        };

        // Reference: the plain step on whole batches, written out (clip, AdamW with decay, EMA).
        using var reference = Net();
        using var referenceAdam = new AdamW(reference.NamedParameters(), options.LearningRate, weightDecay: 0.1);
        using var referenceEma = new Ema(reference, 0.9);
        var referenceLosses = new List<double>();
        var referenceNorms = new List<double>();
        for (int step = 0; step < Steps; step++)
        {
            using var stepScope = DisposeScope.Enter();
            referenceAdam.LearningRate = LrSchedule.WarmupCosine(step, 0, (double)step / Steps, options.LearningRate);
            var loss = MeanLoss(reference, data, step * Batch, Batch);
            referenceLosses.Add(loss.Item<double>());
            loss.Backward();
            referenceNorms.Add(Gradients.ClipNorm(reference.Parameters(), options.ClipGradNorm));
            referenceAdam.Step();
            referenceEma.Update();
            reference.ZeroGrad();
        }
        Assert.All(referenceNorms, n => Assert.True(n > options.ClipGradNorm, $"clipping should be active (norm {n})"));

        // The loop: micro-batch k is clips [k·B/2, (k+1)·B/2).
        using var net = Net();
        using var adam = new AdamW(net.NamedParameters(), options.LearningRate, weightDecay: 0.1);
        using var ema = new Ema(net, 0.9);
        var loop = new TrainingLoop(options, net, adam, ema, finalLearningRate: 0);
        var reports = new List<TrainStep>();
        using (var log = new TrainingLog(options.RunDirectory, "test", new JsonObject()))
            loop.Run(TrainingLoop.From, k => MeanLoss(net, data, k * (Batch / 2), Batch / 2), log, new SynchronousProgress<TrainStep>(reports.Add));

        Assert.Equal([1L, 2L], reports.Select(r => r.Step));
        Assert.Equal(Steps, adam.StepCount);
        Assert.Equal(Steps, ema.Updates);
        for (int step = 0; step < Steps; step++)
        {
            AssertClose(referenceLosses[step], reports[step].Loss, $"loss of step {step}");
            AssertClose(referenceNorms[step], reports[step].GradNorm, $"gradient norm of step {step}");
        }
        var weights = net.StateDict().ToDictionary(p => p.Name, p => p.Tensor);
        foreach (var (name, expected) in reference.StateDict())
            Assert.True(expected.AllClose(weights[name], rtol: 1e-5, atol: 1e-6), $"{name} differs from the full-batch step");
        var averaged = ema.StateDict().ToDictionary(p => p.Name, p => p.Tensor);
        foreach (var (name, expected) in referenceEma.StateDict())
            Assert.True(expected.AllClose(averaged[name], rtol: 1e-5, atol: 1e-6), $"EMA of {name} differs");
        Assert.EndsWith("step-0000002", Checkpoint.Latest(options.RunDirectory));
    }

    [Fact]
    public void ANonFiniteLossInALaterMicroBatchStopsBeforeTheUpdate()
    {
        using var scope = DisposeScope.Enter();
        var data = Data();
        var options = new LoopOptions { RunDirectory = Path.Combine(_root, "nan"), Steps = Steps, BatchSize = Batch / 2, Accumulate = 2 };
        using var net = Net();
        var before = net.StateDict().ToDictionary(p => p.Name, p => p.Tensor.Clone());
        using var adam = new AdamW(net.NamedParameters(), options.LearningRate);
        var loop = new TrainingLoop(options, net, adam, null, finalLearningRate: 0);
        using var log = new TrainingLog(options.RunDirectory, "test", new JsonObject());
        var e = Assert.Throws<InvalidOperationException>(() =>
            loop.Run(TrainingLoop.From, k => k == 1 ? MeanLoss(net, data, 0, 4) * double.NaN : MeanLoss(net, data, 0, 4), log));
        Assert.Contains("step 0", e.Message);
        Assert.Contains("NaN", e.Message);
        Assert.Equal(0, adam.StepCount);
        foreach (var (name, tensor) in net.StateDict()) Assert.True(before[name].AllClose(tensor, rtol: 0, atol: 0), $"{name} changed");
    }

    [Fact]
    public void BadCountsAreRejectedByName()
    {
        var options = new LoopOptions { RunDirectory = _root, Steps = 1, BatchSize = 4 };
        Assert.Contains("accumulate", Assert.Throws<ArgumentException>(() => TrainingLoop.Validate(options with { Accumulate = 0 })).Message);
        Assert.Contains("save-every", Assert.Throws<ArgumentException>(() => TrainingLoop.Validate(options with { SaveEvery = 0 })).Message);
        Assert.Contains("budget", Assert.Throws<ArgumentException>(() => TrainingLoop.Validate(options with { Steps = null })).Message);
    }

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-5 * Math.Abs(expected) + 1e-7, $"{what}: expected {expected}, got {actual}");

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }
}
