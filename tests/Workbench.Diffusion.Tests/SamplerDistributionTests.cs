namespace Workbench.Diffusion.Tests;

/// <summary>
/// Every sampler, driven by the exact denoiser of <see cref="GaussianMixture.Standard"/>, must reproduce
/// the mixture's mean, variance, weights and component spreads (tolerances in <see cref="MixtureStats"/>)
/// from 4000 seeded noise samples at the step counts below.
/// </summary>
public class SamplerDistributionTests
{
    private const int Samples = 4000;

    public static DiffusionObjective Objective(string name) => name switch
    {
        "linear-eps" => new DdpmObjective(),
        "cosine-v" => new DdpmObjective(new DdpmConfig(Prediction.V, NoiseScheduleConfig.Cosine)),
        "linear-v-zero-snr" => new DdpmObjective(new DdpmConfig(Prediction.V, new NoiseScheduleConfig(ZeroTerminalSnr: true))),
        "flow" => new RectifiedFlowObjective(),
        "flow-shift-3" => new RectifiedFlowObjective(new RectifiedFlowConfig(Shift: 3)),
        _ => throw new ArgumentException(name),
    };

    // (sampler, objective, steps): the step counts at which each passes with room to spare (see docs/diffusion.md).
    public static TheoryData<string, string, int> Cases => new()
    {
        { "ddpm", "linear-eps", 250 },
        { "ddpm", "cosine-v", 250 },
        { "ddpm", "flow", 250 },
        { "ddim", "linear-eps", 100 },
        { "ddim", "cosine-v", 50 },
        { "ddim", "linear-v-zero-snr", 100 },
        { "dpm++2m", "linear-eps", 50 },
        { "dpm++2m", "cosine-v", 20 },
        { "dpm++2m", "linear-v-zero-snr", 50 },
        { "dpm++2m", "flow", 20 },
        { "euler", "flow", 50 },
        { "euler", "flow-shift-3", 100 },
        { "heun", "flow", 10 },
        { "heun", "flow-shift-3", 50 },
    };

    internal static Tensor Run(Sampler sampler, DiffusionObjective objective, int steps, ulong seed = 1234, DType? dtype = null)
    {
        using var g = new Generator(seed);
        var noise = Tensor.Randn([Samples, 2], dtype ?? DType.Float64, generator: g);
        return sampler.Generate(GaussianMixture.Standard.Model(objective), noise, steps, g);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SamplesMatchTheMixture(string sampler, string objective, int steps)
    {
        using var scope = DisposeScope.Enter();
        var o = Objective(objective);
        var stats = MixtureStats.Of(Run(Samplers.Create(new SamplerConfig(sampler), o), o, steps), GaussianMixture.Standard);
        var misses = stats.Misses(GaussianMixture.Standard);
        Assert.True(misses.Count == 0, $"{sampler} on {objective} at {steps} steps: {string.Join("; ", misses)} ({stats})");
    }

    [Fact]
    public void TooFewStepsMissTheMixture()
    {
        // The checks have teeth: 5 Euler steps shrink the variance by a quarter and spread the modes.
        using var scope = DisposeScope.Enter();
        var o = Objective("flow");
        var misses = MixtureStats.Of(Run(new EulerSampler(o), o, 5), GaussianMixture.Standard).Misses(GaussianMixture.Standard);
        Assert.Contains(misses, m => m.StartsWith("variance"));
        Assert.Contains(misses, m => m.StartsWith("std"));
    }

    [Fact]
    public void Float32SamplesMatchTheMixture()
    {
        using var scope = DisposeScope.Enter();
        var o = Objective("flow");
        var x = Run(new EulerSampler(o), o, 50, dtype: DType.Float32);
        Assert.Equal(DType.Float32, x.DType);
        Assert.Empty(MixtureStats.Of(x, GaussianMixture.Standard).Misses(GaussianMixture.Standard));
    }

    [Fact]
    public void LinearProportionalLeapSavesCallsAndStaysWithinTolerance()
    {
        // The leap returns x̂0 = E[x0 | x_t], which is narrower than the modes unless t is small (here
        // t ≲ 0.1 against component stds of 0.3 to 0.5), so this run may leap only in the last 10%.
        using var scope = DisposeScope.Enter();
        var o = Objective("flow");
        int calls = 0;
        var model = GaussianMixture.Standard.Model(o, (_, _) => calls++);
        var sampler = new EulerSampler(o, new LinearProportionalLeap(CosineThreshold: 0.99, MinProgress: 0.9));
        using var g = new Generator(1234);
        var noise = Tensor.Randn([Samples, 2], DType.Float64, generator: g);
        var trace = sampler.Sample(model, noise, 50, g).ToList();
        var last = trace[^1];

        Assert.True(last.IsLast);
        Assert.True(last.SavedModelCalls > 0, "the leap saved no calls");
        Assert.True(last.Index >= 45, $"leapt at step {last.Index}, before 90% of the steps");
        Assert.Equal(last.Index + 1, trace.Count);
        Assert.Equal(calls, last.ModelCalls);
        Assert.Equal(50, last.ModelCalls + last.SavedModelCalls);
        Assert.Equal(0.0, last.NextT);
        Assert.All(trace.SkipLast(1), s => Assert.Equal(0, s.SavedModelCalls));
        var misses = MixtureStats.Of(last.X, GaussianMixture.Standard).Misses(GaussianMixture.Standard);
        Assert.True(misses.Count == 0, string.Join("; ", misses));
    }

    [Fact]
    public void HeunLeapCountsBothCallsPerStep()
    {
        using var scope = DisposeScope.Enter();
        var o = Objective("flow");
        int calls = 0;
        var sampler = new HeunSampler(o, new LinearProportionalLeap(0.99, 0.9));
        using var g = new Generator(1234);
        var last = sampler.Sample(GaussianMixture.Standard.Model(o, (_, _) => calls++), Tensor.Randn([Samples, 2], DType.Float64, generator: g), 20).Last();
        Assert.Equal(39, sampler.PlannedModelCalls);
        Assert.True(last.SavedModelCalls > 0);
        Assert.Equal(calls, last.ModelCalls);
        Assert.Equal(2 * last.Index + 1, last.ModelCalls);
        Assert.Equal(39, last.ModelCalls + last.SavedModelCalls);
        Assert.Empty(MixtureStats.Of(last.X, GaussianMixture.Standard).Misses(GaussianMixture.Standard));
    }

    [Fact]
    public void LeapNeverHappensBeforeMinProgress()
    {
        // Velocities agree closely from the start (cosine > 0.99 at step 1), so only MinProgress holds the leap back.
        using var scope = DisposeScope.Enter();
        var o = Objective("flow");
        var sampler = new EulerSampler(o, new LinearProportionalLeap(0.99, 0.5));
        using var g = new Generator(1234);
        var last = sampler.Sample(GaussianMixture.Standard.Model(o), Tensor.Randn([500, 2], DType.Float64, generator: g), 30).Last();
        Assert.InRange(last.Index, 15, 28);
        Assert.Equal(30 - last.Index - 1, last.SavedModelCalls);
    }

    /// <summary>
    /// The deterministic samplers are ODE solvers: against a fine reference solution from the same noise,
    /// halving the step size halves Euler's error (first order) and quarters Heun's (second order);
    /// DPM-Solver++(2M) is second order too (its first and last steps are first order, so the ratio sits a little below 4).
    /// </summary>
    [Theory]
    [InlineData("euler", "flow", 10, 1.8, 2.3)]
    [InlineData("ddim", "cosine-v", 20, 1.8, 2.3)]
    [InlineData("heun", "flow", 10, 3.5, 5)]
    [InlineData("dpm++2m", "cosine-v", 20, 3.2, 4.5)]
    [InlineData("dpm++2m", "flow", 20, 2.2, 4.5)]
    public void OdeSamplersConvergeAtTheirOrder(string name, string objective, int steps, double minRatio, double maxRatio)
    {
        using var scope = DisposeScope.Enter();
        var o = Objective(objective);
        var model = GaussianMixture.Standard.Model(o);
        using var g = new Generator(99);
        var noise = Tensor.Randn([500, 2], DType.Float64, generator: g);
        var reference = o is RectifiedFlowObjective ? new HeunSampler(o).Generate(model, noise, 1000) : new DpmPlusPlus2MSampler(o).Generate(model, noise, 1000);
        // Median over samples: a point near a basin boundary may change mode between step counts.
        double Error(int n)
        {
            var errors = (Samplers.Create(new SamplerConfig(name), o).Generate(model, noise, n) - reference).Square().Sum(1).Sqrt().ToArray<double>();
            Array.Sort(errors);
            return errors[errors.Length / 2];
        }
        double coarse = Error(steps), fine = Error(2 * steps);
        Assert.InRange(coarse / fine, minRatio, maxRatio);
    }
}
