using Workbench.NN;
using Workbench.Training;

namespace Workbench.Tests;

/// <summary>
/// The multi-tensor optimizer ops (optim.cpp): AdamW's foreach and fused steps against its per-tensor step, and the
/// gradient norm and clipping computed on the device against float64 sums over the host's copies.
/// </summary>
public class OptimizerTests
{
    // Parameter shapes of a small transformer block: decayed weights, undecayed biases and norm scales, a scalar.
    private static readonly (string Name, long[] Shape)[] Layout =
    [
        ("blocks.0.attn.qkv.weight", [24, 8]), ("blocks.0.attn.qkv.bias", [24]), ("blocks.0.norm1.weight", [8]),
        ("blocks.0.mlp.fc1.weight", [32, 8]), ("blocks.0.mlp.fc2.weight", [8, 32]), ("gate", []),
    ];

    // Parameters of Layout's names and shapes, disposed with the group.
    private sealed class Group(Device d, DType dtype, int seed) : IDisposable
    {
        public List<(string Name, Parameter Parameter)> Named { get; } = Layout.Select((p, i) =>
            (p.Name, new Parameter(Data.F32(Data.UniformF((int)Data.Count(p.Shape), seed + i), p.Shape, d).To(dtype)))).ToList();

        public List<Parameter> All => Named.Select(p => p.Parameter).ToList();
        public Parameter this[int i] => Named[i].Parameter;
        public void Dispose() => Named.ForEach(p => p.Parameter.Dispose());
    }

    private static Tensor Gradient(long[] shape, int seed, Device d) =>
        Data.F32(Data.UniformF((int)Data.Count(shape), seed, -3, 3), shape, d);

    // Two copies of the same parameters, one stepped by the per-tensor AdamW, the other by the default (multi-tensor)
    // one, with the same gradients each step (gradient(step, index), null for none) and a learning rate per step.
    private sealed class SideBySide : IDisposable
    {
        public Group Reference { get; }
        public Group Multi { get; }
        public AdamW PerTensor { get; }
        public AdamW Default { get; }

        public SideBySide(Device d, DType dtype, int seed, double weightDecay, int steps, Func<int, double> lr, Func<int, int, Tensor?> gradient)
        {
            (Reference, Multi) = (new Group(d, dtype, seed), new Group(d, dtype, seed));
            PerTensor = new AdamW(Reference.Named, beta2: 0.99, weightDecay: weightDecay) { Kernels = OptimizerKernels.PerTensor };
            Default = new AdamW(Multi.Named, beta2: 0.99, weightDecay: weightDecay);
            for (int step = 0; step < steps; step++)
            {
                PerTensor.LearningRate = Default.LearningRate = lr(step);
                for (int i = 0; i < Layout.Length; i++)
                {
                    Reference[i].Grad = gradient(step, i);
                    Multi[i].Grad = gradient(step, i);
                }
                PerTensor.Step();
                Default.Step();
            }
        }

        public void Dispose()
        {
            PerTensor.Dispose();
            Default.Dispose();
            Reference.Dispose();
            Multi.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void MultiTensorAdamWMatchesThePerTensorStepOverSeveralSteps(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        // A new learning rate every step, as a schedule sets it; the gate gets no gradient on odd steps.
        using var run = new SideBySide(d, DType.Float32, 1, weightDecay: 0.1, steps: 6, lr: step => 0.05 * (1 + step) / 6,
            gradient: (step, i) => Layout[i].Name == "gate" && step % 2 == 1 ? null : Gradient(Layout[i].Shape, 100 * step + i, d));
        Assert.Equal(OptimizerKernels.PerTensor, run.PerTensor.LastKernels);
        Assert.Equal(ExpectedKernels(d), run.Default.LastKernels);
        for (int i = 0; i < Layout.Length; i++)
            Expect.Close(Expect.Values(run.Reference[i].Value), Expect.Values(run.Multi[i].Value), rtol: 1e-5, atol: 1e-6);
        var moments = run.Default.StateDict().ToDictionary(s => s.Name, s => s.Tensor);
        foreach (var (name, expected) in run.PerTensor.StateDict())
            Expect.Close(Expect.Values(expected), Expect.Values(moments[name]), rtol: 1e-5, atol: 1e-7);
        Assert.Equal(2 * Layout.Length, moments.Count);
    }

    // The fused kernel runs for CUDA float32 groups on libtorch 2.1 and later; the foreach kernels elsewhere.
    private static OptimizerKernels ExpectedKernels(Device d) =>
        d.IsCuda && Version.Parse(LibTorch.Version.Split('+', 'a')[0]) >= new Version(2, 1) ? OptimizerKernels.Fused : OptimizerKernels.ForEach;

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void LowPrecisionParametersAreUpdatedInFloat32LikeThePerTensorStep(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        using var run = new SideBySide(d, DType.BFloat16, 7, weightDecay: 0.5, steps: 3, lr: _ => 0.1,
            gradient: (step, i) => Gradient(Layout[i].Shape, 10 * step + i, d).To(DType.BFloat16));
        Assert.Equal(OptimizerKernels.ForEach, run.Default.LastKernels); // bfloat16 parameters never take the fused kernel
        for (int i = 0; i < Layout.Length; i++)
        {
            Assert.Equal(DType.BFloat16, run.Multi[i].Value.DType);
            Expect.Close(Expect.Values(run.Reference[i].Value), Expect.Values(run.Multi[i].Value), rtol: 8e-3, atol: 0); // one bfloat16 rounding at most
        }
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void TheTotalNormAndClippingMatchAFloat64Reference(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        using var group = new Group(d, DType.Float32, 3);
        var parameters = group.All;
        var grads = Layout.Select((p, i) => Data.UniformF((int)Data.Count(p.Shape), 50 + i, -3, 3)).ToList();
        for (int i = 0; i < Layout.Length; i++) parameters[i].Grad = Data.F32(grads[i], Layout[i].Shape, d);
        parameters[2].Grad = null; // a parameter without a gradient is left out
        double expected = Math.Sqrt(grads.Where((_, i) => i != 2).Sum(g => g.Sum(x => x * x)));

        var norm = Gradients.TotalNorm(parameters);
        Assert.Equal(DType.Float32, norm.DType);
        Assert.Equal(d, norm.Device);
        Assert.Equal(expected, norm.Item<double>(), expected * 1e-6);

        foreach (double maxNorm in new[] { expected * 2, 5.0 })       // above the norm: unchanged; below: scaled to 5
        {
            double factor = Math.Min(1, maxNorm / (expected + 1e-6));
            var before = parameters.Select(p => p.Grad is { } g ? Expect.Values(g) : null).ToList();
            Gradients.ClipToNorm(parameters, Gradients.TotalNorm(parameters), maxNorm);
            for (int i = 0; i < parameters.Count; i++)
                if (before[i] is { } b) Expect.Close(b.Select(x => x * factor).ToArray(), Expect.Values(parameters[i].Grad!), rtol: 1e-6, atol: 0);
            expected *= factor;
        }
        Assert.Equal(5.0, Gradients.TotalNorm(parameters).Item<double>(), 1e-5);
        Assert.Null(parameters[2].Grad);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void TheTotalNormIsNotFiniteExactlyWhenAGradientIsNot(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        using var group = new Group(d, DType.Float32, 3);
        var parameters = group.All;
        foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            for (int i = 0; i < Layout.Length; i++) parameters[i].Grad = Gradient(Layout[i].Shape, i, d);
            Assert.True(double.IsFinite(Gradients.TotalNorm(parameters).Item<double>()));
            var values = Data.UniformF(24 * 8, 9);
            values[100] = bad;
            parameters[0].Grad = Data.F32(values, [24, 8], d);
            double norm = Gradients.TotalNorm(parameters).Item<double>();
            Assert.True(double.IsNaN(bad) ? double.IsNaN(norm) : double.IsPositiveInfinity(norm), $"a gradient holding {bad}: norm {norm}");
        }
        Assert.Equal(0.0, Gradients.TotalNorm([]).Item<double>());
    }

    [Fact]
    public void ANonPositiveMaximumNormIsRejected()
    {
        using var scope = DisposeScope.Enter();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Gradients.ClipToNorm([], Tensor.Zeros([]), 0));
        Assert.Equal("maxNorm", e.ParamName);
    }
}
