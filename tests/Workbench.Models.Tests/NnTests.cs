using Workbench.Training;

namespace Workbench.Models.Tests;

public class NnTests
{
    private sealed class TwoLayers : Module
    {
        public Linear First { get; }
        public ModuleList<Linear> Blocks { get; }
        public TwoLayers()
        {
            First = RegisterModule("first", new Linear(3, 4));
            Blocks = RegisterModule("blocks", new ModuleList<Linear>([new Linear(4, 4), new Linear(4, 2, bias: false)]));
            RegisterBuffer("scale", Tensor.Ones([2]));
        }
    }

    [Fact]
    public void StateDictKeysFollowPyTorchNaming()
    {
        using var m = new TwoLayers();
        Assert.Equal(["first.weight", "first.bias", "blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "scale"],
            m.StateDict().Select(s => s.Name));
        Assert.Equal(3 * 4 + 4 + 16 + 4 + 8, m.ParameterCount);
    }

    [Fact]
    public void LoadingAMismatchedStateDictNamesEveryProblemAndChangesNothing()
    {
        using var m = new TwoLayers();
        using var scope = DisposeScope.Enter();
        var before = m.First.Weight.Value.Clone();
        var state = m.StateDict().ToDictionary(s => s.Name, s => s.Tensor.Clone());
        state.Remove("blocks.0.bias");
        state["extra"] = Tensor.Zeros([1]);
        state["first.weight"] = Tensor.Zeros([5, 3]);
        var e = Assert.Throws<ArgumentException>(() => m.LoadStateDict(state));
        Assert.Contains("missing keys: blocks.0.bias", e.Message);
        Assert.Contains("unexpected keys: extra", e.Message);
        Assert.Contains("first.weight: expected [4, 3], got [5, 3]", e.Message);
        Assert.True(m.First.Weight.Value.AllClose(before, 0, 0));
    }

    [Fact]
    public void LinearComputesXWTransposedPlusB()
    {
        using var layer = new Linear(2, 2);
        using var scope = DisposeScope.Enter();
        layer.LoadStateDict(new Dictionary<string, Tensor>
        {
            ["weight"] = Tensor.From(new float[] { 1, 2, 3, 4 }, [2, 2]),
            ["bias"] = Tensor.From(new float[] { 0.5f, -1 }),
        });
        // [1, 1] · Wᵀ + b = [1+2, 3+4] + [0.5, −1] = [3.5, 6].
        Assert.Equal(new float[] { 3.5f, 6 }, layer.Forward(Tensor.Ones([1, 2])).ToArray<float>());
        var e = Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.Ones([1, 3])));
        Assert.Contains("last dim should be 2", e.Message);
    }

    [Fact]
    public void CausalConvOutputsNeverDependOnLaterFrames()
    {
        Workbench.Torch.Torch.ManualSeed(1);
        using var conv = new CausalConv3d(2, 3, (3, 3, 3));
        using var scope = DisposeScope.Enter();
        var x = Tensor.Randn([1, 2, 6, 5, 5], requiresGrad: true);
        var y = conv.Forward(x);
        Assert.Equal(new long[] { 1, 3, 6, 5, 5 }, y.Shape);
        // d y[t=2] / d x: zero for frames 3..5, non-zero for frames 0..2.
        y[.., .., 2].Sum().Backward();
        var g = x.Grad!.Abs().Sum([0, 1, 3, 4]).ToArray<float>();
        Assert.All(g[3..], v => Assert.Equal(0f, v));
        Assert.All(g[..3], v => Assert.True(v > 0));
    }

    [Fact]
    public void RmsNormDividesByTheRootMeanSquare()
    {
        using var norm = new RMSNorm(4, eps: 0);
        using var scope = DisposeScope.Enter();
        // rms([1, 2, 3, 4]) = √7.5.
        var y = norm.Forward(Tensor.From(new float[] { 1, 2, 3, 4 }, [1, 4])).ToArray<float>();
        var expected = new[] { 1, 2, 3, 4 }.Select(v => (float)(v / Math.Sqrt(7.5))).ToArray();
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], y[i], 5);
    }

    [Fact]
    public void AttentionWeightsSumToOneAndTheOutputMatchesTheDefinition()
    {
        Workbench.Torch.Torch.ManualSeed(2);
        using var attn = new MultiheadAttention(8, 2, qkNorm: true);
        using var scope = DisposeScope.Enter();
        var x = Tensor.Randn([2, 5, 8]);
        var (output, weights) = attn.ForwardWithWeights(x);
        Assert.Equal(new long[] { 2, 2, 5, 5 }, weights.Shape);
        Assert.True(weights.Sum(-1).AllClose(Tensor.Ones([2, 2, 5]), 1e-5, 1e-5));
        Assert.True(output.AllClose(attn.Forward(x), 1e-5, 1e-5));
    }

    [Fact]
    public void ModulesMoveToAnotherDTypeInPlace()
    {
        using var m = new TwoLayers();
        var weight = m.First.Weight;
        m.To(DType.Float64);
        Assert.Equal(DType.Float64, weight.Value.DType);
        Assert.True(weight.Value.RequiresGrad);
    }

    [Fact]
    public void AdamWMatchesTheUpdateFormulaOnAHandComputedExample()
    {
        // One parameter θ = [1, −2], gradients g1 = [0.5, −1] then g2 = [0.1, 0.2]; lr 0.1, β = (0.9, 0.999), ε = 1e-8, λ = 0.01.
        using var layer = new RMSNorm(2);             // a module with one parameter, "weight"
        using var scope = DisposeScope.Enter();
        using (new NoGrad()) layer.Weight.Value.Copy_(Tensor.From(new float[] { 1, -2 }));
        using var adam = new AdamW(layer.NamedParameters(), lr: 0.1, weightDecay: 0.01, noDecay: _ => false);
        double[] theta = [1, -2], m = [0, 0], v = [0, 0];
        double[][] grads = [[0.5, -1], [0.1, 0.2]];
        for (int step = 1; step <= 2; step++)
        {
            layer.Weight.Grad = Tensor.From(grads[step - 1].Select(x => (float)x).ToArray());
            adam.Step();
            for (int i = 0; i < 2; i++)
            {
                theta[i] *= 1 - 0.1 * 0.01;
                m[i] = 0.9 * m[i] + 0.1 * grads[step - 1][i];
                v[i] = 0.999 * v[i] + 0.001 * grads[step - 1][i] * grads[step - 1][i];
                double mHat = m[i] / (1 - Math.Pow(0.9, step)), vHat = v[i] / (1 - Math.Pow(0.999, step));
                theta[i] -= 0.1 * mHat / (Math.Sqrt(vHat) + 1e-8);
            }
            var got = layer.Weight.Value.ToArray<float>();
            Assert.Equal(theta[0], got[0], 5);
            Assert.Equal(theta[1], got[1], 5);
        }
    }

    [Fact]
    public void ClippingScalesGradientsToTheMaximumNorm()
    {
        using var layer = new RMSNorm(2);
        using var scope = DisposeScope.Enter();
        layer.Weight.Grad = Tensor.From(new float[] { 3, 4 });
        double norm = Gradients.ClipNorm(layer.Parameters(), 1.0);
        Assert.Equal(5, norm, 5);
        var g = layer.Weight.Grad!.ToArray<float>();
        Assert.Equal(0.6f, g[0], 4);
        Assert.Equal(0.8f, g[1], 4);
    }

    [Fact]
    public void TheScheduleWarmsUpLinearlyThenDecaysAlongACosine()
    {
        Assert.Equal(0.25, LrSchedule.WarmupCosine(0, 4, 0, 1), 12);
        Assert.Equal(1.0, LrSchedule.WarmupCosine(3, 4, 0, 1), 12);
        Assert.Equal(0.5, LrSchedule.WarmupCosine(100, 4, 0.5, 1), 12);
        Assert.Equal(0.1, LrSchedule.WarmupCosine(100, 4, 1, 1, 0.1), 12);
    }

    [Fact]
    public void EmaMovesEachShadowByOneMinusDecayTowardsTheParameter()
    {
        using var layer = new RMSNorm(2);
        using var scope = DisposeScope.Enter();
        using (new NoGrad()) layer.Weight.Value.Copy_(Tensor.From(new float[] { 1, 3 }));
        using var ema = new Ema(layer, decay: 0.9, warmup: false);
        using (new NoGrad()) layer.Weight.Value.Copy_(Tensor.From(new float[] { 2, -1 }));
        ema.Update();
        // 0.9·[1, 3] + 0.1·[2, −1] = [1.1, 2.6]; again: 0.9·[1.1, 2.6] + 0.1·[2, −1] = [1.19, 2.24].
        Assert.Equal(new[] { 1.1f, 2.6f }, ema.StateDict()[0].Tensor.ToArray<float>().Select(v => MathF.Round(v, 5)));
        ema.Update();
        Assert.Equal(new[] { 1.19f, 2.24f }, ema.StateDict()[0].Tensor.ToArray<float>().Select(v => MathF.Round(v, 5)));
        ema.CopyTo(layer);
        Assert.Equal(new[] { 1.19f, 2.24f }, layer.Weight.Value.ToArray<float>().Select(v => MathF.Round(v, 5)));
    }

    [Fact]
    public void EmaWarmupUsesTheSmallerDecayEarlyOn()
    {
        using var layer = new RMSNorm(2);
        using var ema = new Ema(layer, decay: 0.999);
        Assert.Equal(0.1, ema.EffectiveDecay, 12);          // (1 + 0) / (10 + 0)
        ema.Update();
        Assert.Equal(2.0 / 11, ema.EffectiveDecay, 12);
        for (int i = 0; i < 20_000; i++) ema.Update();
        Assert.Equal(0.999, ema.EffectiveDecay, 12);
    }
}
