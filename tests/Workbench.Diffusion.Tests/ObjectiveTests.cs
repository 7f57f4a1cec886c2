namespace Workbench.Diffusion.Tests;

/// <summary>Forward noising, targets and their inverses against closed forms; training-time sampling.</summary>
public class ObjectiveTests
{
    private static readonly long[] Shape = [4, 3, 2];

    private static (Tensor X0, Tensor Noise) Pair(int seed)
    {
        using var g = new Generator((ulong)seed);
        return (Tensor.Randn(Shape, DType.Float64, generator: g), Tensor.Randn(Shape, DType.Float64, generator: g));
    }

    private static double[] Values(Tensor t) => t.To(DType.Float64).ToArray<double>();

    // Elementwise expected[i] = f(sample index, x0[i], noise[i]).
    private static double[] Expected(Tensor x0, Tensor noise, Func<int, double, double, double> f)
    {
        var a = Values(x0);
        var b = Values(noise);
        int perSample = a.Length / (int)x0.Size(0);
        return a.Select((v, i) => f(i / perSample, v, b[i])).ToArray();
    }

    private static void Close(double[] expected, Tensor actual, double tol = 1e-12)
    {
        var values = Values(actual);
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < values.Length; i++)
            Assert.True(Math.Abs(values[i] - expected[i]) <= tol, $"element {i}: expected {expected[i]:R}, got {values[i]:R}");
    }

    [Theory]
    [InlineData(ScheduleKind.Linear)]
    [InlineData(ScheduleKind.Cosine)]
    public void ForwardNoisingMatchesTheClosedForm(ScheduleKind kind)
    {
        using var scope = DisposeScope.Enter();
        var objective = new DdpmObjective(new DdpmConfig(Schedule: new NoiseScheduleConfig(kind)));
        var (x0, noise) = Pair(1);
        double[] t = [0, 10, 500, 999];
        double AlphaBar(int i)
        {
            // by hand, not through NoiseSchedule
            int step = (int)t[i];
            if (kind == ScheduleKind.Cosine)
            {
                double F(double u) => Math.Pow(Math.Cos((u + 0.008) / 1.008 * Math.PI / 2), 2);
                return F((step + 1.0) / 1000) / F(0);
            }
            double product = 1;
            for (int j = 0; j <= step; j++) product *= 1 - (1e-4 + j * (0.02 - 1e-4) / 999);
            return product;
        }
        var xt = objective.AddNoise(x0, noise, Tensor.From(t));
        // t = 999 on the cosine schedule is where β is clipped; its ᾱ is checked in ScheduleTests.
        var expected = Expected(x0, noise, (i, a, e) => i == 3 && kind == ScheduleKind.Cosine
            ? Math.Sqrt(NoiseSchedule.Cosine().AlphaBar[999]) * a + Math.Sqrt(1 - NoiseSchedule.Cosine().AlphaBar[999]) * e
            : Math.Sqrt(AlphaBar(i)) * a + Math.Sqrt(1 - AlphaBar(i)) * e);
        Close(expected, xt, 1e-10);
    }

    [Fact]
    public void TargetsMatchTheirClosedForms()
    {
        using var scope = DisposeScope.Enter();
        var (x0, noise) = Pair(2);
        double[] t = [0, 100, 700, 999];
        var alphaBar = NoiseSchedule.Linear().AlphaBar;
        double A(int i) => Math.Sqrt(alphaBar[(int)t[i]]);
        double S(int i) => Math.Sqrt(1 - alphaBar[(int)t[i]]);

        var eps = new DdpmObjective(new DdpmConfig(Prediction.Epsilon));
        Close(Values(noise), eps.Target(x0, noise, Tensor.From(t)));

        // v = √ᾱ·ε − √(1−ᾱ)·x0 (Salimans & Ho 2022, §4)
        var v = new DdpmObjective(new DdpmConfig(Prediction.V));
        Close(Expected(x0, noise, (i, a, e) => A(i) * e - S(i) * a), v.Target(x0, noise, Tensor.From(t)));

        // rectified flow: x_t = (1 − t)·x0 + t·ε, target ε − x0
        double[] tf = [0, 0.25, 0.5, 1];
        var flow = new RectifiedFlowObjective();
        Close(Expected(x0, noise, (i, a, e) => (1 - tf[i]) * a + tf[i] * e), flow.AddNoise(x0, noise, Tensor.From(tf)));
        Close(Expected(x0, noise, (_, a, e) => e - a), flow.Target(x0, noise, Tensor.From(tf)));
    }

    public static TheoryData<string> Objectives => ["eps", "v", "v-zero-snr", "flow"];

    private static DiffusionObjective Make(string name) => name switch
    {
        "eps" => new DdpmObjective(),
        "v" => new DdpmObjective(new DdpmConfig(Prediction.V, NoiseScheduleConfig.Cosine)),
        "v-zero-snr" => new DdpmObjective(DdpmConfig.VZeroSnr),
        _ => new RectifiedFlowObjective(),
    };

    [Theory]
    [MemberData(nameof(Objectives))]
    public void DecomposingTheTargetRecoversX0AndNoise(string name)
    {
        using var scope = DisposeScope.Enter();
        var objective = Make(name);
        var (x0, noise) = Pair(3);
        var t = Tensor.From(name == "flow" ? new[] { 0.0, 0.3, 0.9, 1.0 } : [0.0, 10, 500, 999]);
        var xt = objective.AddNoise(x0, noise, t);
        var (x0Hat, noiseHat) = objective.Decompose(xt, objective.Target(x0, noise, t), t);
        Close(Values(x0), x0Hat, 1e-9);
        Close(Values(noise), noiseHat, 1e-9);

        // The scalar-time overload agrees with the per-sample one.
        var one = Tensor.Full([4], name == "flow" ? 0.4 : 300, DType.Float64);
        var xOne = objective.AddNoise(x0, noise, one);
        var (a, _) = objective.Decompose(xOne, objective.Target(x0, noise, one), name == "flow" ? 0.4 : 300);
        Close(Values(x0), a, 1e-9);
    }

    [Fact]
    public void EpsilonNoiseEstimateIsThePredictionItself()
    {
        using var scope = DisposeScope.Enter();
        var objective = new DdpmObjective();
        var (x0, noise) = Pair(4);
        var t = Tensor.From(new[] { 999.0, 999, 999, 999 });
        var (_, noiseHat) = objective.Decompose(objective.AddNoise(x0, noise, t), noise, t);
        Close(Values(noise), noiseHat, 0);
    }

    [Fact]
    public void IncompatibleSettingsAreRejected()
    {
        var zeroSnr = new DdpmConfig(Prediction.Epsilon, new NoiseScheduleConfig(ZeroTerminalSnr: true));
        var e = Assert.Throws<ArgumentException>(() => new DdpmObjective(zeroSnr));
        Assert.Contains("Prediction.V", e.Message);
        Assert.Throws<ArgumentException>(() => new DdpmObjective(new DdpmConfig(Prediction.Velocity)));
        Assert.Equal("config", Assert.Throws<ArgumentOutOfRangeException>(() => new RectifiedFlowObjective(new RectifiedFlowConfig(LogitStd: 0))).ParamName);
        Assert.Equal("shift", Assert.Throws<ArgumentOutOfRangeException>(() => new RectifiedFlowObjective(new RectifiedFlowConfig(Shift: -1))).ParamName);
    }

    [Fact]
    public void BadTimesAndShapesNameTheArgument()
    {
        using var scope = DisposeScope.Enter();
        var (x0, noise) = Pair(5);
        var ddpm = new DdpmObjective();
        Assert.Equal("t", Assert.Throws<ArgumentOutOfRangeException>(() => ddpm.AddNoise(x0, noise, Tensor.From(new[] { 0.0, 1, 2, 1000 }))).ParamName);
        Assert.Equal("t", Assert.Throws<ArgumentOutOfRangeException>(() => ddpm.AddNoise(x0, noise, Tensor.From(new[] { 0.0, 1, 2.5, 3 }))).ParamName);
        Assert.Equal("t", Assert.Throws<ArgumentException>(() => ddpm.AddNoise(x0, noise, Tensor.From(new[] { 0.0, 1 }))).ParamName);
        Assert.Equal("noise", Assert.Throws<ArgumentException>(() => ddpm.AddNoise(x0, noise.Narrow(0, 0, 2), Tensor.From(new[] { 0.0, 1, 2, 3 }))).ParamName);
        var flow = new RectifiedFlowObjective();
        Assert.Equal("t", Assert.Throws<ArgumentOutOfRangeException>(() => flow.AddNoise(x0, noise, Tensor.From(new[] { 0.0, 0.5, 1.5, 1 }))).ParamName);
        Assert.Equal("t", Assert.Throws<ArgumentOutOfRangeException>(() => flow.NoiseLevel(-0.1)).ParamName);
    }

    [Fact]
    public void TimestepShiftIsMonotoneAndKeepsTheEnds()
    {
        foreach (double s in new[] { 0.3, 1, 2, 3, 6.5 })
        {
            Assert.Equal(0.0, TimestepShift.Apply(0, s));
            Assert.Equal(1.0, TimestepShift.Apply(1, s), 1e-15);
            double previous = 0;
            for (int i = 1; i <= 1000; i++)
            {
                double shifted = TimestepShift.Apply(i / 1000.0, s);
                Assert.True(shifted > previous, $"shift {s}: t' at {i / 1000.0} = {shifted} is not above {previous}");
                previous = shifted;
            }
        }
        Assert.Equal(0.75, TimestepShift.Apply(0.5, 3), 1e-15);  // 3·0.5/(1 + 2·0.5)
        Assert.Equal(2.0, TimestepShift.ForTokens(4096, 1024));   // SD3: √(m/n)
        using var scope = DisposeScope.Enter();
        var t = Tensor.From(new[] { 0.0, 0.25, 0.5, 1 });
        Close([0, 0.5, 0.75, 1], TimestepShift.Apply(t, 3), 1e-15);
    }

    [Fact]
    public void TrainingTimesFollowTheirDistributions()
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(7);
        const int n = 20000;

        var steps = Values(new DdpmObjective().SampleTimes(n, DType.Float32, Device.Cpu, g));
        Assert.All(steps, s => Assert.True(s >= 0 && s <= 999 && s == Math.Floor(s)));
        Assert.InRange(steps.Average(), 499.5 - 10, 499.5 + 10);   // SE 2.0

        var uniform = Values(new RectifiedFlowObjective(new RectifiedFlowConfig(TimeSampling.Uniform)).SampleTimes(n, DType.Float64, Device.Cpu, g));
        Assert.InRange(uniform.Average(), 0.49, 0.51);             // SE 0.002
        Assert.InRange(uniform.Select(u => (u - 0.5) * (u - 0.5)).Average(), 1 / 12.0 - 0.003, 1 / 12.0 + 0.003);

        // logit-normal(m = 0.5, s = 0.8): logit(t) ~ N(0.5, 0.8²)
        var logitNormal = Values(new RectifiedFlowObjective(new RectifiedFlowConfig(TimeSampling.LogitNormal, 0.5, 0.8)).SampleTimes(n, DType.Float64, Device.Cpu, g));
        var logits = logitNormal.Select(u => Math.Log(u / (1 - u))).ToArray();
        Assert.InRange(logits.Average(), 0.5 - 0.03, 0.5 + 0.03);   // SE 0.006
        Assert.InRange(Math.Sqrt(logits.Select(l => (l - 0.5) * (l - 0.5)).Average()), 0.8 - 0.03, 0.8 + 0.03);

        // with shift 3 the median of uniform times moves from 0.5 to shift(0.5) = 0.75
        var shifted = Values(new RectifiedFlowObjective(new RectifiedFlowConfig(TimeSampling.Uniform, Shift: 3)).SampleTimes(n, DType.Float64, Device.Cpu, g));
        Array.Sort(shifted);
        Assert.InRange(shifted[n / 2], 0.74, 0.76);
    }

    [Fact]
    public void LossIsTheMeanSquaredTargetForAZeroModel()
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(8);
        var (x0, _) = Pair(6);
        var objective = new RectifiedFlowObjective();
        Tensor? seenX = null, seenT = null;
        var loss = objective.Loss((x, t) => { seenX = x; seenT = t; return Tensor.ZerosLike(x); }, x0, g);
        // Recover ε from what the model saw: x_t = (1 − t)·x0 + t·ε, so the target ε − x0 = (x_t − x0)/t.
        var t = Values(seenT!);
        var xt = Values(seenX!);
        var clean = Values(x0);
        int per = clean.Length / 4;
        double expected = xt.Select((v, i) => Math.Pow((v - clean[i]) / t[i / per], 2)).Average();
        Assert.Equal(expected, loss.Item<double>(), 1e-9);
    }

    [Fact]
    public void DiscreteSamplingTimesUseTrailingOrLeadingSpacing()
    {
        Assert.Equal([999, 899, 799, 699, 599, 499, 399, 299, 199, 99, -1], new DdpmObjective().SamplingTimes(10));
        Assert.Equal([900, 800, 700, 600, 500, 400, 300, 200, 100, 0, -1],
            new DdpmObjective(new DdpmConfig(Spacing: TimestepSpacing.Leading)).SamplingTimes(10));
        Assert.Equal(1001, new DdpmObjective().SamplingTimes(1000).Distinct().Count());
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() => new DdpmObjective().SamplingTimes(1001)).ParamName);
        var flow = new RectifiedFlowObjective(new RectifiedFlowConfig(Shift: 3)).SamplingTimes(4);
        Assert.Equal([1, TimestepShift.Apply(0.75, 3), 0.75, TimestepShift.Apply(0.25, 3), 0], flow);
    }
}
