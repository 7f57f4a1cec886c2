namespace Workbench.Tests;

public class AutogradTests
{
    // ---- the mechanics ----

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void BackwardGivesTheClosedFormGradient(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        double[] xs = [-1.5, 0.5, 2];
        var x = Tensor.From(xs, device: d, requiresGrad: true);
        var y = (x * x * 3 + x.Sin()).Sum(); // dy/dx = 6x + cos x
        y.Backward();
        Expect.Close(xs.Select(v => 6 * v + Math.Cos(v)).ToArray(), [3], x.Grad!, 1e-12, 1e-12);
    }

    [Fact]
    public void LeavesAndOpResultsAreTrackedAsPyTorchDoes()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.Ones([2], requiresGrad: true);
        var c = Tensor.Ones([2]);
        Assert.True(x.RequiresGrad);
        Assert.True(x.IsLeaf);
        Assert.False(c.RequiresGrad);
        var y = x * 2;
        Assert.True(y.RequiresGrad);
        Assert.False(y.IsLeaf);
        Assert.False((c * 2).RequiresGrad);
        Assert.Null(x.Grad); // before any backward
        Assert.Same(c, c.RequiresGrad_());
        Assert.True(c.RequiresGrad);
    }

    [Fact]
    public void GradientsAccumulateUntilCleared()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new double[] { 1, 2 }, requiresGrad: true);
        (x * 3).Sum().Backward();
        (x * x).Sum().Backward();
        Expect.Close([3 + 2, 3 + 4], x.Grad!, 0, 0);
        x.Grad = null;
        Assert.Null(x.Grad);
        (x * 5).Sum().Backward();
        Expect.Close([5, 5], x.Grad!, 0, 0);
    }

    [Fact]
    public void GradCanBeSetExplicitly()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new double[] { 1, 2 }, requiresGrad: true);
        x.Grad = Tensor.From(new double[] { 10, 20 });
        (x * 2).Sum().Backward();
        Expect.Close([12, 22], x.Grad!, 0, 0);
    }

    [Fact]
    public void RetainGraphAllowsASecondBackward()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new double[] { 3 }, requiresGrad: true);
        var y = (x * x).Sum(); // dy/dx = 6
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.Equal(12, x.Grad!.Item<double>());
    }

    [Fact]
    public void NonScalarBackwardTakesTheUpstreamGradient()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new double[] { 1, 2, 3 }, requiresGrad: true);
        var y = x * x; // dy_i/dx_i = 2 x_i
        y.Backward(Tensor.From(new double[] { 1, 10, 100 }));
        Expect.Close([2, 40, 600], x.Grad!, 0, 0);
    }

    [Fact]
    public void RetainGradKeepsTheGradientOfAnIntermediate()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new double[] { 1, 2 }, requiresGrad: true);
        var h = x * 3;
        h.RetainGrad();
        (h * h).Sum().Backward(); // d/dh = 2h
        Expect.Close([6, 12], h.Grad!, 0, 0);
        Expect.Close([18, 36], x.Grad!, 0, 0);
    }

    [Fact]
    public void NoGradStopsRecordingAndRestoresTheModeAfterwards()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.Ones([2], requiresGrad: true);
        Assert.True(NoGrad.IsGradEnabled);
        using (new NoGrad())
        {
            Assert.False(NoGrad.IsGradEnabled);
            Assert.False((x * 2).RequiresGrad);
            using (new NoGrad(enabled: true))
            {
                Assert.True(NoGrad.IsGradEnabled);
                Assert.True((x * 2).RequiresGrad);
            }
            Assert.False(NoGrad.IsGradEnabled);
        }
        Assert.True(NoGrad.IsGradEnabled);
        Assert.True((x * 2).RequiresGrad);
    }

    [Fact]
    public void DetachCutsTheGraphButSharesTheData()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new double[] { 1, 2 }, requiresGrad: true);
        var frozen = (x * 2).Detach();
        Assert.False(frozen.RequiresGrad);
        var y = (x * frozen).Sum(); // frozen acts as a constant: dy/dx = frozen = 2x
        y.Backward();
        Expect.Close([2, 4], x.Grad!, 0, 0);

        var view = x.Detach();
        using (new NoGrad()) view.Fill_(7);
        Expect.Close([7, 7], x, 0, 0);
    }

    [Fact]
    public void CreateGraphGivesADifferentiableGradient()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new double[] { 2 }, requiresGrad: true);
        var y = (x * x * x).Sum(); // y' = 3x², y'' = 6x
        y.Backward(createGraph: true);
        var g = x.Grad!;
        Assert.Equal(12, g.Item<double>());
        Assert.True(g.RequiresGrad);
        x.Grad = null;
        g.Sum().Backward();
        Assert.Equal(12, x.Grad!.Item<double>());
    }

    // ---- gradients against central finite differences (float64) ----

    private static (double[], long[]) In(long[] shape, int seed, double low = -1, double high = 1) =>
        (Data.Uniform((int)Data.Count(shape), seed, low, high), shape);

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void LinearGradientsMatchFiniteDifferences(string device)
    {
        var d = TestDevices.Require(device);
        GradCheck.Run(d, t => F.Linear(t[0], t[1], t[2]), In([3, 4], 1), In([5, 4], 2), In([5], 3));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void Conv3dGradientsMatchFiniteDifferences(string device)
    {
        var d = TestDevices.Require(device);
        GradCheck.Run(d, t => F.Conv3d(t[0], t[1], t[2], stride: (1, 2, 1), padding: (1, 0, 1)),
            In([1, 2, 3, 3, 3], 4), In([2, 2, 2, 2, 2], 5), In([2], 6));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ConvTranspose3dGradientsMatchFiniteDifferences(string device)
    {
        var d = TestDevices.Require(device);
        GradCheck.Run(d, t => F.ConvTranspose3d(t[0], t[1], t[2], stride: (2, 1, 2)),
            In([1, 2, 2, 2, 2], 7), In([2, 2, 2, 2, 2], 8), In([2], 9));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void LayerNormGradientsMatchFiniteDifferences(string device)
    {
        var d = TestDevices.Require(device);
        GradCheck.Run(d, t => F.LayerNorm(t[0], [5], t[1], t[2]), In([3, 5], 10, -2, 2), In([5], 11, 0.5, 1.5), In([5], 12));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void GroupNormGradientsMatchFiniteDifferences(string device)
    {
        var d = TestDevices.Require(device);
        GradCheck.Run(d, t => F.GroupNorm(t[0], 2, t[1], t[2]), In([2, 4, 2, 3], 13, -2, 2), In([4], 14, 0.5, 1.5), In([4], 15));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void SoftmaxAndLogSoftmaxGradientsMatchFiniteDifferences(string device)
    {
        var d = TestDevices.Require(device);
        GradCheck.Run(d, t => F.Softmax(t[0], 1), In([3, 4, 2], 16, -2, 2));
        GradCheck.Run(d, t => F.LogSoftmax(t[0], -1), In([3, 4], 17, -2, 2));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AttentionGradientsMatchFiniteDifferences(string device)
    {
        var d = TestDevices.Require(device);
        GradCheck.Run(d, t => F.ScaledDotProductAttention(t[0], t[1], t[2]), In([1, 2, 3, 4], 18), In([1, 2, 4, 4], 19), In([1, 2, 4, 3], 20));
        GradCheck.Run(d, t => F.ScaledDotProductAttention(t[0], t[1], t[2], isCausal: true), In([2, 4, 3], 21), In([2, 4, 3], 22), In([2, 4, 2], 23));
    }

    [Fact]
    public void AttentionWithWeightsGradientsMatchFiniteDifferences()
    {
        using var scope = DisposeScope.Enter();
        var mask = Tensor.From(new[] { true, false, true, true, true, false }, [2, 3]);
        GradCheck.Run(Device.Cpu, t =>
        {
            var (output, weights) = F.ScaledDotProductAttentionWithWeights(t[0], t[1], t[2], mask: mask);
            return output + weights.Sum(-1, keepDim: true); // both results carry gradient
        }, In([2, 2, 3], 24), In([2, 3, 3], 25), In([2, 3, 2], 26));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void LossGradientsMatchFiniteDifferences(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var target = Data.Uniform(6, 27);
        GradCheck.Run(d, t => F.MseLoss(t[0], Tensor.From(target, [2, 3], d)), In([2, 3], 28));
        // inputs kept ≥ 0.1 away from the targets, where |x - y| is smooth
        var (x, shape) = In([2, 3], 29, 0.1, 1);
        GradCheck.Run(d, t => F.L1Loss(t[0], Tensor.From(target, [2, 3], d), Reduction.Sum),
            (x.Select((v, i) => target[i] + (i % 2 == 0 ? v : -v)).ToArray(), shape));
        var classes = Tensor.From(new long[] { 2, 0, 3 }, device: d);
        var weight = Tensor.From(new double[] { 1, 0.5, 2, 1.5 }, device: d);
        GradCheck.Run(d, t => F.CrossEntropy(t[0], classes), In([3, 4], 30, -2, 2));
        GradCheck.Run(d, t => F.CrossEntropy(t[0], classes, weight, labelSmoothing: 0.1), In([3, 4], 31, -2, 2));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ActivationInterpolationAndPoolingGradientsMatchFiniteDifferences(string device)
    {
        var d = TestDevices.Require(device);
        GradCheck.Run(d, t => F.Gelu(t[0]) + F.Gelu(t[0], tanhApproximation: true) + F.Silu(t[0]), In([7], 32, -3, 3));
        GradCheck.Run(d, t => F.Interpolate(t[0], [3, 4, 5], InterpolateMode.Linear), In([1, 1, 2, 2, 3], 33));
        GradCheck.Run(d, t => F.AvgPool3d(t[0], (2, 2, 2), stride: (1, 1, 2), padding: (1, 0, 1)), In([1, 1, 2, 3, 4], 34));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void CompositeExpressionGradientsMatchFiniteDifferences(string device)
    {
        var d = TestDevices.Require(device);
        // a small MLP-like expression with broadcasting, reductions, reshapes and elementwise ops
        GradCheck.Run(d, t =>
        {
            var (x, w, b) = (t[0], t[1], t[2]);
            var h = (x.MatMul(w) + b).Tanh() * x.Sigmoid().Sum(-1, keepDim: true);
            var z = h.Reshape(-1).Exp() / (1 + h.Square().Mean());
            return z.LogSumExp(0) + h.Permute(1, 0).Pow(2).Sum() + (x.Abs() + 1).Log().Max();
        }, In([3, 4], 35), In([4, 2], 36), In([2], 37));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void IndexingAndJoiningGradientsMatchFiniteDifferences(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var idx = Tensor.From(new long[] { 2, 0, 2 }, device: d);
        GradCheck.Run(d, t =>
        {
            var x = t[0];
            var picked = x.IndexSelect(0, idx) * x[TensorIndex.Slice(null, null, 2)].Sum();
            return Tensor.Cat([picked, x.Narrow(0, 1, 2).Flip(1)], 0).Pad([1, 1], PadMode.Reflect);
        }, In([3, 3], 38));
    }
}
