namespace Workbench.Diffusion.Tests;

/// <summary>Classifier-free guidance: batching, the combination rule and guidance rescale.</summary>
public class GuidanceTests
{
    // A toy conditional network: output = x·(1 + c) + t (c broadcast per sample), and it records its calls.
    private sealed class Recorder
    {
        public List<long> Batches { get; } = [];
        public Tensor? LastCondition;
        public Tensor Call(Tensor x, Tensor t, Tensor c)
        {
            Batches.Add(x.Size(0));
            LastCondition = c.Clone();
            return x * (c + 1) + t.Unsqueeze(1);
        }
    }

    private static (Tensor X, Tensor T, Tensor Cond, Tensor Uncond) Inputs()
    {
        using var g = new Generator(9);
        return (Tensor.Randn([3, 4], DType.Float64, generator: g), Tensor.From(new[] { 0.2, 0.5, 0.9 }),
            Tensor.Randn([3, 4], DType.Float64, generator: g), Tensor.Zeros([1, 4], DType.Float64));
    }

    [Fact]
    public void ScaleOneEqualsTheConditionalPrediction()
    {
        using var scope = DisposeScope.Enter();
        var (x, t, cond, uncond) = Inputs();
        var recorder = new Recorder();
        var guided = ClassifierFreeGuidance.Wrap(recorder.Call, cond, uncond, new GuidanceConfig(Scale: 1))(x, t);
        Assert.Equal(recorder.Call(x, t, cond).ToArray<double>(), guided.ToArray<double>());
        // The combination rule alone is exact at w = 1 too.
        var c = Tensor.Randn([2, 5], DType.Float64);
        var u = Tensor.Randn([2, 5], DType.Float64);
        Assert.Equal(c.ToArray<double>(), ClassifierFreeGuidance.Combine(c, u, new GuidanceConfig(1)).ToArray<double>());
    }

    [Fact]
    public void GuidanceBatchesBothPassesIntoOneCall()
    {
        using var scope = DisposeScope.Enter();
        var (x, t, cond, uncond) = Inputs();
        var recorder = new Recorder();
        const double w = 4.5;
        var guided = ClassifierFreeGuidance.Wrap(recorder.Call, cond, uncond, new GuidanceConfig(w))(x, t);
        Assert.Equal([6L], recorder.Batches);
        // First half conditional, second half the (broadcast) unconditional embedding.
        Assert.Equal(cond.ToArray<double>(), recorder.LastCondition!.Narrow(0, 0, 3).ToArray<double>());
        Assert.All(recorder.LastCondition!.Narrow(0, 3, 3).ToArray<double>(), v => Assert.Equal(0.0, v));

        // By hand: c = x·(1 + cond) + t, u = x + t, guided = u + w·(c − u).
        var xs = x.ToArray<double>();
        var cs = cond.ToArray<double>();
        var ts = t.ToArray<double>();
        var actual = guided.ToArray<double>();
        for (int i = 0; i < xs.Length; i++)
        {
            double c = xs[i] * (1 + cs[i]) + ts[i / 4], u = xs[i] + ts[i / 4];
            Assert.Equal(u + w * (c - u), actual[i], 1e-12);
        }
    }

    [Fact]
    public void RescaleMatchesLinEtAl()
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(10);
        var c = Tensor.Randn([2, 3, 4], DType.Float64, generator: g);
        var u = Tensor.Randn([2, 3, 4], DType.Float64, generator: g) * 0.3;
        const double w = 7.5, phi = 0.7;
        var actual = ClassifierFreeGuidance.Combine(c, u, new GuidanceConfig(w, phi)).ToArray<double>();
        var plain = ClassifierFreeGuidance.Combine(c, u, new GuidanceConfig(w, 0)).ToArray<double>();
        var cv = c.ToArray<double>();
        var uv = u.ToArray<double>();
        for (int b = 0; b < 2; b++)
        {
            var cfg = Enumerable.Range(12 * b, 12).Select(i => uv[i] + w * (cv[i] - uv[i])).ToArray();
            var pos = Enumerable.Range(12 * b, 12).Select(i => cv[i]).ToArray();
            double factor = Std(pos) / Std(cfg);
            for (int j = 0; j < 12; j++)
            {
                Assert.Equal(cfg[j], plain[12 * b + j], 1e-12);
                Assert.Equal(phi * cfg[j] * factor + (1 - phi) * cfg[j], actual[12 * b + j], 1e-12);
            }
        }
        // φ = 1 restores the conditional prediction's standard deviation per sample.
        var full = ClassifierFreeGuidance.Combine(c, u, new GuidanceConfig(w, 1));
        Assert.True(full.Std([1, 2]).AllClose(c.Std([1, 2]), 1e-12, 1e-12));
    }

    private static double Std(double[] v)
    {
        double mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
    }

    [Fact]
    public void MismatchedConditioningIsRejected()
    {
        using var scope = DisposeScope.Enter();
        var (x, t, cond, _) = Inputs();
        var recorder = new Recorder();
        Assert.Equal("unconditional", Assert.Throws<ArgumentException>(() =>
            ClassifierFreeGuidance.Wrap(recorder.Call, cond, Tensor.Zeros([1, 5], DType.Float64), new GuidanceConfig())).ParamName);
        var wrapped = ClassifierFreeGuidance.Wrap(recorder.Call, cond, Tensor.Zeros([1, 4], DType.Float64), new GuidanceConfig());
        Assert.Equal("condition", Assert.Throws<ArgumentException>(() => wrapped(x.Narrow(0, 0, 2), t.Narrow(0, 0, 2))).ParamName);
        Assert.Equal("config", Assert.Throws<ArgumentOutOfRangeException>(() =>
            ClassifierFreeGuidance.Wrap(recorder.Call, cond, cond, new GuidanceConfig(Rescale: 1.5))).ParamName);
    }

    [Fact]
    public void GuidedSamplingMakesOneModelCallPerStep()
    {
        // A class-conditional exact denoiser: condition k > 0 selects component k−1, 0 is the whole mixture.
        using var scope = DisposeScope.Enter();
        var objective = new RectifiedFlowObjective();
        var mixture = GaussianMixture.Standard;
        var components = Enumerable.Range(0, 3).Select(k => new GaussianMixture([1.0], [mixture.Means[k]], [mixture.Stds[k]]).Model(objective)).ToArray();
        var unconditional = mixture.Model(objective);
        int calls = 0;
        ConditionalModel model = (x, t, c) =>
        {
            calls++;
            var labels = c.ToArray<double>();
            var rows = Enumerable.Range(0, labels.Length).Select(i =>
            {
                var (xi, ti) = (x.Narrow(0, i, 1), t.Narrow(0, i, 1));
                return labels[i] == 0 ? unconditional(xi, ti) : components[(int)labels[i] - 1](xi, ti);
            }).ToList();
            return Tensor.Cat(rows);
        };
        var cond = Tensor.Full([200, 1], 3.0, DType.Float64);      // component 2: mean (0, 2.5), std 0.3
        var guided = ClassifierFreeGuidance.Wrap(model, cond, Tensor.Zeros([1, 1], DType.Float64), new GuidanceConfig(Scale: 2));
        using var g = new Generator(12);
        var x = new HeunSampler(objective).Generate(guided, Tensor.Randn([200, 2], DType.Float64, generator: g), 10);
        Assert.Equal(19, calls);
        // Guidance past 1 pushes every sample into the conditioned mode.
        var values = x.ToArray<double>();
        for (int i = 0; i < 200; i++) Assert.Equal(2, mixture.Classify(values.AsSpan(2 * i, 2)));
    }
}
