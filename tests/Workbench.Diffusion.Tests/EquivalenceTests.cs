namespace Workbench.Diffusion.Tests;

/// <summary>DDIM's determinism and inversion, and samplers that must agree where their maths coincides.</summary>
public class EquivalenceTests
{
    private static readonly GaussianMixture Mixture = GaussianMixture.Standard;

    [Fact]
    public void DdimWithEtaZeroIsDeterministic()
    {
        using var scope = DisposeScope.Enter();
        var o = new DdpmObjective(new DdpmConfig(Prediction.V, NoiseScheduleConfig.Cosine));
        using var g = new Generator(5);
        var noise = Tensor.Randn([200, 2], DType.Float64, generator: g);
        using var g1 = new Generator(1);
        using var g2 = new Generator(2);
        var a = new DdimSampler(o).Generate(Mixture.Model(o), noise, 25, g1);
        var b = new DdimSampler(o).Generate(Mixture.Model(o), noise, 25, g2);
        Assert.Equal(a.ToArray<double>(), b.ToArray<double>());
    }

    /// <summary>
    /// DDIM inversion then sampling returns x0 up to first-order discretisation error: the median
    /// round trip error halves when the steps double, and is under 0.025 (a twelfth of the narrowest
    /// component's std) at 200 steps.
    /// </summary>
    [Theory]
    [InlineData("linear-eps")]
    [InlineData("cosine-v")]
    [InlineData("linear-v-zero-snr")]
    [InlineData("flow")]
    public void DdimInversionComesBack(string objective)
    {
        using var scope = DisposeScope.Enter();
        var o = SamplerDistributionTests.Objective(objective);
        var x0 = Mixture.Draw(500, seed: 11);
        var sampler = new DdimSampler(o);
        double MedianRoundTripError(int steps)
        {
            var xT = sampler.Invert(Mixture.Model(o), x0, steps);
            // x_T looks like standard noise ...
            var v = xT.ToArray<double>();
            Assert.InRange(v.Average(), -0.15, 0.15);
            Assert.InRange(v.Select(z => z * z).Average(), 0.85, 1.2);
            // ... and sampling it comes back to x0.
            var errors = (sampler.Generate(Mixture.Model(o), xT, steps) - x0).Square().Sum(1).Sqrt().ToArray<double>();
            Array.Sort(errors);
            return errors[errors.Length / 2];
        }
        double coarse = MedianRoundTripError(100), fine = MedianRoundTripError(200);
        Assert.True(fine < 0.025, $"median round-trip error {fine:E3} at 200 steps");
        Assert.InRange(coarse / fine, 1.6, 2.4);
    }

    [Fact]
    public void DdpmEqualsDdimWithEtaOne()
    {
        // Both draw x_s from q(x_s | x_t, x̂0), one noise draw per step: the same generator gives the same samples.
        using var scope = DisposeScope.Enter();
        var o = new DdpmObjective();
        using var g = new Generator(3);
        var noise = Tensor.Randn([300, 2], DType.Float64, generator: g);
        using var g1 = new Generator(21);
        using var g2 = new Generator(21);
        var ddpm = new DdpmSampler(o).Generate(Mixture.Model(o), noise, 40, g1);
        var ddim = new DdimSampler(o, eta: 1).Generate(Mixture.Model(o), noise, 40, g2);
        Assert.True(ddpm.AllClose(ddim, 1e-9, 1e-9), $"max difference {(ddpm - ddim).Abs().Max().Item<double>():E3}");
    }

    [Fact]
    public void EulerEqualsDdimOnRectifiedFlow()
    {
        // On the straight path x_t = (1−t)·x0 + t·ε, α_s·x̂0 + σ_s·ε̂ = x_t + (s − t)·v.
        using var scope = DisposeScope.Enter();
        var o = new RectifiedFlowObjective(new RectifiedFlowConfig(Shift: 2));
        using var g = new Generator(4);
        var noise = Tensor.Randn([300, 2], DType.Float64, generator: g);
        var euler = new EulerSampler(o).Generate(Mixture.Model(o), noise, 17);
        var ddim = new DdimSampler(o).Generate(Mixture.Model(o), noise, 17);
        Assert.True(euler.AllClose(ddim, 1e-10, 1e-10), $"max difference {(euler - ddim).Abs().Max().Item<double>():E3}");
    }

    [Fact]
    public void OneStepSamplersReturnThePosteriorMeanOfTheNoise()
    {
        // From pure noise the exact denoiser's x̂0 is the mixture mean; one step to the clean end returns it.
        using var scope = DisposeScope.Enter();
        var o = new RectifiedFlowObjective();
        var noise = Tensor.Randn([10, 2], DType.Float64);
        foreach (var name in Samplers.Names)
        {
            var x = Samplers.Create(new SamplerConfig(name), o).Generate(Mixture.Model(o), noise, 1).ToArray<double>();
            for (int i = 0; i < 10; i++)
            {
                Assert.Equal(Mixture.Mean(0), x[2 * i], 1e-12);
                Assert.Equal(Mixture.Mean(1), x[2 * i + 1], 1e-12);
            }
        }
    }
}
