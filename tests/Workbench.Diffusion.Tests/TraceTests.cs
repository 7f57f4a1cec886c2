namespace Workbench.Diffusion.Tests;

/// <summary>The step trace: its contents, the ownership rule, flat memory, cancellation and errors.</summary>
[Collection(nameof(LiveTensorCounting))]
public class TraceTests
{
    private static readonly GaussianMixture Mixture = GaussianMixture.Standard;
    private static readonly RectifiedFlowObjective Flow = new();

    private static Tensor Noise(int n = 64, ulong seed = 3)
    {
        using var g = new Generator(seed);
        return Tensor.Randn([n, 2], DType.Float64, generator: g);
    }

    public static TheoryData<string> Names => new(Samplers.Names);

    [Theory]
    [MemberData(nameof(Names))]
    public void TraceHasOneEntryPerStepAndEndsAtTheFinalSample(string name)
    {
        using var scope = DisposeScope.Enter();
        var sampler = Samplers.Create(new SamplerConfig(name), Flow);
        var noise = Noise();
        var trace = sampler.Sample(Mixture.Model(Flow), noise, 8, new Generator(1)).ToList();
        Assert.Equal(Enumerable.Range(0, 8), trace.Select(s => s.Index));
        Assert.All(trace, s => Assert.Equal(8, s.Steps));
        Assert.Equal(sampler.Timesteps.Take(8), trace.Select(s => s.T));
        Assert.Equal(sampler.Timesteps.Skip(1), trace.Select(s => s.NextT));
        Assert.Equal([false, false, false, false, false, false, false, true], trace.Select(s => s.IsLast));
        Assert.Equal(Enumerable.Range(1, 8).Select(i => name == "heun" ? Math.Min(2 * i, 15) : i), trace.Select(s => s.ModelCalls));
        Assert.All(trace, s => Assert.Equal(noise.Shape, s.X.Shape));
        Assert.All(trace, s => Assert.Equal(noise.Shape, s.PredictedX0.Shape));
        var again = sampler.Generate(Mixture.Model(Flow), noise, 8, new Generator(1));
        Assert.Equal(again.ToArray<double>(), trace[^1].X.ToArray<double>());
    }

    [Fact]
    public void PredictedX0IsTheModelsEstimateWhereTheStepStarted()
    {
        using var scope = DisposeScope.Enter();
        var noise = Noise(8);
        var trace = new EulerSampler(Flow).Sample(Mixture.Model(Flow), noise, 5).ToList();
        // x̂0 is the exact posterior mean of the point each step started from (the noise, then the previous X).
        var starts = new[] { noise }.Concat(trace.Select(s => s.X)).ToList();
        Span<double> expected = stackalloc double[2];
        for (int i = 0; i < trace.Count; i++)
        {
            var x = starts[i].ToArray<double>();
            var x0 = trace[i].PredictedX0.ToArray<double>();
            var (alpha, sigma) = (1 - trace[i].T, trace[i].T);
            for (int n = 0; n < 8; n++)
            {
                Mixture.PosteriorMean(x.AsSpan(2 * n, 2), alpha, sigma, expected);
                Assert.Equal(expected[0], x0[2 * n], 1e-12);
                Assert.Equal(expected[1], x0[2 * n + 1], 1e-12);
            }
        }
    }

    [Fact]
    public void ConsumerOwnsTheStepTensorsAndTheyOutliveTheRun()
    {
        var noise = Noise();
        List<SampleStep> kept;
        using (var scope = DisposeScope.Enter())
        {
            kept = new DpmPlusPlus2MSampler(Flow).Sample(Mixture.Model(Flow), noise, 6).ToList();
            // The run is over (its state is freed), yet every step's tensors are alive and distinct.
            Assert.All(kept, s => Assert.False(s.X.IsDisposed));
            Assert.All(kept, s => Assert.False(s.PredictedX0.IsDisposed));
            Assert.Equal(12, kept.SelectMany(s => new[] { s.X, s.PredictedX0 }).Distinct().Count());
            Assert.NotEqual(kept[0].X.ToArray<double>(), kept[5].X.ToArray<double>());
        }
        // They were registered in the consumer's scope, so its end disposed them.
        Assert.All(kept, s => Assert.True(s.X.IsDisposed && s.PredictedX0.IsDisposed));
        noise.Dispose();
    }

    [Fact]
    public void DisposingStepsDuringTheRunDoesNotDisturbIt()
    {
        using var scope = DisposeScope.Enter();
        var noise = Noise();
        var undisturbed = new DpmPlusPlus2MSampler(Flow).Generate(Mixture.Model(Flow), noise, 6).ToArray<double>();
        SampleStep? last = null;
        foreach (var step in new DpmPlusPlus2MSampler(Flow).Sample(Mixture.Model(Flow), noise, 6))
        {
            last?.Dispose();
            last = step;
        }
        Assert.Equal(undisturbed, last!.X.ToArray<double>());
    }

    [Fact]
    public void TheConsumerNeverRunsInsideTheSamplersScopeOrWithoutGrad()
    {
        using var outer = DisposeScope.Enter();
        foreach (var step in new HeunSampler(Flow).Sample(Mixture.Model(Flow), Noise(), 4))
        {
            Assert.Same(outer, DisposeScope.Current);
            Assert.True(NoGrad.IsGradEnabled);
        }
    }

    [Fact]
    public void MemoryStaysFlatWhenTheConsumerDisposesEachStep()
    {
        using var scope = DisposeScope.Enter();
        var noise = Noise();
        long before = LibTorch.LiveTensors;
        var live = new List<long>();
        foreach (var step in new DpmPlusPlus2MSampler(Flow).Sample(Mixture.Model(Flow), noise, 12))
        {
            step.Dispose();
            live.Add(LibTorch.LiveTensors);
        }
        // The run holds its sample and the previous x̂0 between steps, and nothing else.
        Assert.All(live.Skip(1), n => Assert.Equal(live[1], n));
        Assert.Equal(before, LibTorch.LiveTensors);
    }

    [Fact]
    public void CancellationStopsBeforeTheNextStepAndFreesTheRun()
    {
        using var scope = DisposeScope.Enter();
        var noise = Noise();
        long before = LibTorch.LiveTensors;
        using var cts = new CancellationTokenSource();
        int seen = 0;
        int calls = 0;
        Assert.Throws<OperationCanceledException>(() =>
        {
            foreach (var step in new EulerSampler(Flow).Sample(Mixture.Model(Flow, (_, _) => calls++), noise, 10, cancellationToken: cts.Token))
            {
                step.Dispose();
                if (++seen == 3) cts.Cancel();
            }
        });
        Assert.Equal(3, seen);
        Assert.Equal(3, calls);
        Assert.Equal(before, LibTorch.LiveTensors);
    }

    [Fact]
    public void BadArgumentsNameTheArgument()
    {
        using var scope = DisposeScope.Enter();
        var model = Mixture.Model(Flow);
        var sampler = new EulerSampler(Flow);
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Sample(model, Noise(), 0)).ParamName);
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() => sampler.SetTimesteps(-3)).ParamName);
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() => new DdimSampler(new DdpmObjective()).Sample(model, Noise(), 1001)).ParamName);
        Assert.Equal("eta", Assert.Throws<ArgumentOutOfRangeException>(() => new DdimSampler(Flow, -0.1)).ParamName);
        Assert.Equal("noise", Assert.Throws<ArgumentException>(() => sampler.Sample(model, Tensor.Zeros([4, 2], DType.Int64), 5)).ParamName);
        Assert.Equal("objective", Assert.Throws<ArgumentException>(() => new EulerSampler(new DdpmObjective())).ParamName);
        Assert.Equal("objective", Assert.Throws<ArgumentException>(() => new HeunSampler(new DdpmObjective())).ParamName);
        Assert.Equal("CosineThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => new EulerSampler(Flow, new LinearProportionalLeap(1.5))).ParamName);
        Assert.Equal("config", Assert.Throws<ArgumentException>(() => Samplers.Create(new SamplerConfig("plms"), Flow)).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => { sampler.SetTimesteps(3); sampler.Step(model, Noise(), 3); }).ParamName);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void NaNInTheModelOutputNamesTheStep(string name)
    {
        using var scope = DisposeScope.Enter();
        var inner = Mixture.Model(Flow);
        int calls = 0;
        DiffusionModel model = (x, t) => ++calls == 4 ? Tensor.FullLike(x, double.NaN) : inner(x, t);
        var sampler = Samplers.Create(new SamplerConfig(name), Flow);
        int expectedStep = name == "heun" ? 1 : 3; // Heun calls twice per step
        var e = Assert.Throws<SamplingException>(() => sampler.Generate(model, Noise(), 8));
        Assert.Equal(expectedStep, e.Step);
        Assert.Contains($"step {expectedStep}", e.Message);
        Assert.Contains("NaN", e.Message);
    }

    [Fact]
    public void AWronglyShapedPredictionNamesTheShapes()
    {
        using var scope = DisposeScope.Enter();
        var e = Assert.Throws<SamplingException>(() => new EulerSampler(Flow).Generate((x, _) => Tensor.Zeros([3]), Noise(), 4));
        Assert.Equal(0, e.Step);
        Assert.Contains("[3]", e.Message);
        Assert.Contains("[64, 2]", e.Message);
    }
}

/// <summary>Tests that count live native tensors must not run beside others.</summary>
[CollectionDefinition(nameof(LiveTensorCounting), DisableParallelization = true)]
public class LiveTensorCounting;
