namespace Workbench.Tests;

public class FunctionalTests
{
    // ---- convolutions ----

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void Conv2dWithStridePaddingDilationAndGroupsMatchesTheDefinition(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Data.UniformF(2 * 4 * 5 * 6, 1);
        var w = Data.UniformF(6 * 2 * 3 * 2, 2);
        var b = Data.UniformF(6, 3);
        // A 2-D convolution is the 3-D definition with a time axis of one.
        var (expected, shape) = Reference.Conv3d(x, [2, 4, 1, 5, 6], w, [6, 2, 1, 3, 2], b, (1, 2, 1), (0, 1, 1), (1, 1, 2), groups: 2);
        var y = F.Conv2d(Data.F32(x, [2, 4, 5, 6], d), Data.F32(w, [6, 2, 3, 2], d), Data.F32(b, [6], d),
            stride: (2, 1), padding: (1, 1), dilation: (1, 2), groups: 2);
        var (r, a) = Tol.Products(d);
        Expect.Close(expected, [shape[0], shape[1], shape[3], shape[4]], y, r, a);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void Conv3dWithBiasStrideAndPaddingMatchesTheDefinition(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        long[] xs = [2, 3, 4, 5, 5], ws = [4, 3, 3, 3, 2];
        var x = Data.UniformF((int)Data.Count(xs), 4);
        var w = Data.UniformF((int)Data.Count(ws), 5);
        var b = Data.UniformF(4, 6);
        var (expected, shape) = Reference.Conv3d(x, xs, w, ws, b, (1, 2, 2), (1, 1, 0), (1, 1, 1), groups: 1);
        var y = F.Conv3d(Data.F32(x, xs, d), Data.F32(w, ws, d), Data.F32(b, [4], d), stride: (1, 2, 2), padding: (1, 1, 0));
        var (r, a) = Tol.Products(d);
        Expect.Close(expected, shape, y, r, a);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void Conv3dWithGroupsAndDilationMatchesTheDefinition(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        long[] xs = [1, 4, 5, 4, 4], ws = [6, 2, 2, 2, 2];
        var x = Data.UniformF((int)Data.Count(xs), 7);
        var w = Data.UniformF((int)Data.Count(ws), 8);
        var (expected, shape) = Reference.Conv3d(x, xs, w, ws, null, (1, 1, 1), (0, 1, 1), (2, 1, 2), groups: 2);
        var y = F.Conv3d(Data.F32(x, xs, d), Data.F32(w, ws, d), padding: (0, 1, 1), dilation: (2, 1, 2), groups: 2);
        var (r, a) = Tol.Products(d);
        Expect.Close(expected, shape, y, r, a);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ConvTranspose3dScattersEachInputThroughTheKernel(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        long[] xs = [2, 4, 2, 3, 3], ws = [4, 3, 3, 2, 3];
        var x = Data.UniformF((int)Data.Count(xs), 9);
        var w = Data.UniformF((int)Data.Count(ws), 10);
        var b = Data.UniformF(3, 11);
        var (expected, shape) = Reference.ConvTranspose3d(x, xs, w, ws, b, (2, 2, 1), (1, 0, 1), (1, 1, 0), groups: 1);
        Assert.Equal([2L, 3, 4, 7, 3], shape);
        var y = F.ConvTranspose3d(Data.F32(x, xs, d), Data.F32(w, ws, d), Data.F32(b, [3], d),
            stride: (2, 2, 1), padding: (1, 0, 1), outputPadding: (1, 1, 0));
        var (r, a) = Tol.Products(d);
        Expect.Close(expected, shape, y, r, a);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ConvTranspose3dWithGroupsMatchesTheDefinition(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        long[] xs = [1, 4, 2, 2, 3], ws = [4, 2, 2, 2, 2];
        var x = Data.UniformF((int)Data.Count(xs), 12);
        var w = Data.UniformF((int)Data.Count(ws), 13);
        var (expected, shape) = Reference.ConvTranspose3d(x, xs, w, ws, null, (2, 2, 2), (0, 0, 0), (0, 0, 0), groups: 2);
        var y = F.ConvTranspose3d(Data.F32(x, xs, d), Data.F32(w, ws, d), stride: (2, 2, 2), groups: 2);
        var (r, a) = Tol.Products(d);
        Expect.Close(expected, shape, y, r, a);
    }

    // ---- normalisation ----

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void GroupNormNormalisesEachGroupThenScalesAndShiftsPerChannel(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        long[] xs = [2, 6, 2, 3, 2];
        var x = Data.UniformF((int)Data.Count(xs), 14, -2, 3);
        var w = Data.UniformF(6, 15, 0.5, 1.5);
        var b = Data.UniformF(6, 16);
        var (r, a) = Tol.Float32(d);
        var affine = F.GroupNorm(Data.F32(x, xs, d), 3, Data.F32(w, [6], d), Data.F32(b, [6], d), eps: 1e-5);
        Expect.Close(Reference.GroupNorm(x, xs, 3, w, b, 1e-5), xs, affine, 10 * r, 10 * a);
        var plain = F.GroupNorm(Data.F32(x, xs, d), 2, eps: 1e-3);
        Expect.Close(Reference.GroupNorm(x, xs, 2, null, null, 1e-3), xs, plain, 10 * r, 10 * a);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void LayerNormNormalisesTheTrailingDims(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        long[] xs = [3, 4, 5];
        var x = Data.UniformF(60, 17, -1, 4);
        var w = Data.UniformF(5, 18, 0.5, 1.5);
        var b = Data.UniformF(5, 19);
        var (r, a) = Tol.Float32(d);
        Expect.Close(Reference.LayerNorm(x, 5, w, b, 1e-5), xs, F.LayerNorm(Data.F32(x, xs, d), [5], Data.F32(w, [5], d), Data.F32(b, [5], d)), 10 * r, 10 * a);
        Expect.Close(Reference.LayerNorm(x, 20, null, null, 1e-6), xs, F.LayerNorm(Data.F32(x, xs, d), [4, 5], eps: 1e-6), 10 * r, 10 * a);
    }

    // ---- activations ----

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void SiluAndGeluMatchTheirFormulas(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Data.UniformF(50, 20, -3, 3);
        var t = Data.F32(x, [50], d);
        Expect.Close(x.Select(v => v * Reference.Sigmoid(v)).ToArray(), [50], F.Silu(t), 1e-5, 1e-6);
        Expect.Close(x.Select(Reference.Gelu).ToArray(), [50], F.Gelu(t), 1e-5, 1e-6);
        Expect.Close(x.Select(Reference.GeluTanh).ToArray(), [50], F.Gelu(t, tanhApproximation: true), 1e-5, 1e-6);
        Expect.Close(x.Select(v => Math.Max(0, v)).ToArray(), [50], F.Relu(t), 0, 0);
        // the two GELU forms are close but not equal
        Assert.False(F.Gelu(t).AllClose(F.Gelu(t, true), 0, 1e-5));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void SoftmaxAndLogSoftmaxAlongAnyDim(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        long[] xs = [2, 3, 4];
        var x = Data.UniformF(24, 21, -4, 4);
        var t = Data.F32(x, xs, d);
        Expect.Close(Reference.Softmax(x, xs, 2), xs, F.Softmax(t, -1), 1e-5, 1e-7);
        Expect.Close(Reference.Softmax(x, xs, 1), xs, F.Softmax(t, 1), 1e-5, 1e-7);
        Expect.Close(Reference.Softmax(x, xs, 0, log: true), xs, F.LogSoftmax(t, 0), 1e-5, 1e-6);
        Expect.Close(Enumerable.Repeat(1.0, 6).ToArray(), [2, 3], F.Softmax(t, 2).Sum(2), 1e-6, 1e-6);
    }

    [Fact]
    public void SoftmaxIsStableForLargeLogits()
    {
        using var scope = DisposeScope.Enter();
        var t = Tensor.From(new float[] { 1000, 1000, 0 });
        var e = Math.Exp(-1000.0);
        Expect.Close([0.5, 0.5, 0], F.Softmax(t, 0), 1e-6, 1e-12);
        Expect.Close([-Math.Log(2), -Math.Log(2), -1000 - Math.Log(2 + e)], F.LogSoftmax(t, 0), 1e-6, 1e-4);
    }

    // ---- dropout ----

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void DropoutZeroesAboutPAndScalesTheRestByOneOverOneMinusP(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        const int n = 20000;
        const double p = 0.3;
        var y = Expect.Values(F.Dropout(Tensor.Ones([n], device: d), p));
        int zeros = y.Count(v => v == 0);
        // binomial(20000, 0.3): sd ≈ 65, so ±600 is more than 9 sd
        Assert.InRange(zeros, n * p - 600, n * p + 600);
        Assert.All(y.Where(v => v != 0), v => Assert.Equal(1 / (1 - p), v, 1e-6));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void DropoutIsTheIdentityOutsideTrainingOrWithPZeroAndZeroWithPOne(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Data.UniformF(100, 22);
        var t = Data.F32(x, [100], d);
        Expect.Close(x, F.Dropout(t, 0.5, training: false), 0, 0);
        Expect.Close(x, F.Dropout(t, 0.0), 0, 0);
        Expect.Close(new double[100], F.Dropout(t, 1.0), 0, 0);
    }

    // ---- interpolation and pooling ----

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void NearestInterpolationPicksFloorOfTheScaledIndex(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        long[] xs = [1, 2, 2, 3, 4];
        var x = Data.UniformF(48, 23);
        int[] outSize = [5, 5, 7];
        int Src(int o, int inSize, int outN) => Math.Min(o * inSize / outN, inSize - 1); // floor(o · in / out)
        var expected = new double[2 * 5 * 5 * 7];
        for (int c = 0; c < 2; c++)
            for (int t = 0; t < 5; t++)
                for (int h = 0; h < 5; h++)
                    for (int w = 0; w < 7; w++)
                        expected[((c * 5 + t) * 5 + h) * 7 + w] = x[((c * 2 + Src(t, 2, 5)) * 3 + Src(h, 3, 5)) * 4 + Src(w, 4, 7)];
        Expect.Close(expected, [1, 2, 5, 5, 7], F.Interpolate(Data.F32(x, xs, d), [5, 5, 7]), 0, 0);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void NearestInterpolationByAnIntegerScaleRepeatsEachSample(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new float[] { 1, 2, 3, 4 }, [1, 1, 2, 2], d);
        Expect.Close([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], [1, 1, 4, 4], F.Interpolate(x, 2.0), 0, 0);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void TrilinearInterpolationWeighsTheEightNeighbours(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        long[] xs = [1, 2, 2, 3, 4];
        var x = Data.UniformF(48, 24);
        var t = Data.F32(x, xs, d);
        var (r, a) = Tol.Float32(d);
        Expect.Close(Reference.Trilinear(x, xs, 3, 5, 7, alignCorners: false), [1, 2, 3, 5, 7],
            F.Interpolate(t, [3, 5, 7], InterpolateMode.Linear), 10 * r, 10 * a);
        Expect.Close(Reference.Trilinear(x, xs, 3, 5, 7, alignCorners: true), [1, 2, 3, 5, 7],
            F.Interpolate(t, [3, 5, 7], InterpolateMode.Linear, alignCorners: true), 10 * r, 10 * a);
        Expect.Close(Reference.Trilinear(x, xs, 1, 2, 3, alignCorners: false), [1, 2, 1, 2, 3],
            F.Interpolate(t, [1, 2, 3], InterpolateMode.Linear), 10 * r, 10 * a); // downsampling
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void LinearInterpolationOfARampInOneAndTwoDims(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var ramp = Tensor.From(new float[] { 0, 3 }, [1, 1, 2], d);
        Expect.Close([0, 1, 2, 3], [1, 1, 4], F.Interpolate(ramp, [4], InterpolateMode.Linear, alignCorners: true), 1e-6, 1e-6);
        // without aligned corners the samples sit at pixel centres: src = (o + 0.5)/2 - 0.5, clamped to [0, 1]
        Expect.Close([0, 0.75, 2.25, 3], [1, 1, 4], F.Interpolate(ramp, [4], InterpolateMode.Linear), 1e-6, 1e-6);

        var square = Tensor.From(new float[] { 0, 1, 2, 3 }, [1, 1, 2, 2], d); // f(h, w) = 2h + w
        Expect.Close([0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3], [1, 1, 3, 3], F.Interpolate(square, [3, 3], InterpolateMode.Linear, alignCorners: true), 1e-6, 1e-6);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AvgPool3dAveragesEachWindow(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        long[] xs = [1, 2, 4, 4, 6];
        var x = Data.UniformF(192, 25);
        var t = Data.F32(x, xs, d);
        var (e1, s1) = Reference.AvgPool3d(x, xs, (2, 2, 3), (2, 2, 3), (0, 0, 0));
        Expect.Close(e1, s1, F.AvgPool3d(t, (2, 2, 3)), 1e-5, 1e-6);
        var (e2, s2) = Reference.AvgPool3d(x, xs, (2, 2, 2), (1, 2, 2), (1, 1, 1));
        Expect.Close(e2, s2, F.AvgPool3d(t, (2, 2, 2), stride: (1, 2, 2), padding: (1, 1, 1)), 1e-5, 1e-6);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AvgPool2dAveragesEachWindow(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Tensor.Arange(16, DType.Float32, d).Reshape(1, 1, 4, 4);
        Expect.Close([2.5, 4.5, 10.5, 12.5], [1, 1, 2, 2], F.AvgPool2d(x, (2, 2)), 0, 1e-6);
    }

    // ---- attention ----

    private const int B = 2, H = 2, L = 5, S = 6, E = 4, Ev = 3;

    private static (double[] Q, double[] K, double[] V) Qkv(int seed, int l = L, int s = S) =>
        (Data.UniformF(B * H * l * E, seed), Data.UniformF(B * H * s * E, seed + 1), Data.UniformF(B * H * s * Ev, seed + 2));

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AttentionIsSoftmaxOfScaledScoresTimesValues(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var (q, k, v) = Qkv(30);
        var (expected, _) = Reference.Attention(q, k, v, B * H, L, S, E, Ev, 1 / Math.Sqrt(E));
        var y = F.ScaledDotProductAttention(Data.F32(q, [B, H, L, E], d), Data.F32(k, [B, H, S, E], d), Data.F32(v, [B, H, S, Ev], d));
        var (r, a) = Tol.Products(d);
        Expect.Close(expected, [B, H, L, Ev], y, r, a);

        var (scaled, _) = Reference.Attention(q, k, v, B * H, L, S, E, Ev, 0.9);
        var y2 = F.ScaledDotProductAttention(Data.F32(q, [B, H, L, E], d), Data.F32(k, [B, H, S, E], d), Data.F32(v, [B, H, S, Ev], d), scale: 0.9);
        Expect.Close(scaled, [B, H, L, Ev], y2, r, a);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AttentionWithABoolMaskIgnoresMaskedKeys(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var (q, k, v) = Qkv(40);
        bool Allowed(int i, int j) => (i + 2 * j) % 3 != 0 || j == i; // every query keeps at least its own key
        var mask = new bool[L * S];
        for (int i = 0; i < L; i++) for (int j = 0; j < S; j++) mask[i * S + j] = Allowed(i, j);
        var (expected, _) = Reference.Attention(q, k, v, B * H, L, S, E, Ev, 1 / Math.Sqrt(E), (_, i, j) => Allowed(i, j));
        var y = F.ScaledDotProductAttention(Data.F32(q, [B, H, L, E], d), Data.F32(k, [B, H, S, E], d), Data.F32(v, [B, H, S, Ev], d),
            mask: Tensor.From(mask, [L, S], d));
        var (r, a) = Tol.Products(d);
        Expect.Close(expected, [B, H, L, Ev], y, r, a);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AttentionWithAnAdditiveMaskAddsItToTheScores(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var (q, k, v) = Qkv(50);
        var bias = Data.UniformF(B * L * S, 53, -2, 2); // (B, 1, L, S): broadcast over heads
        var (expected, _) = Reference.Attention(q, k, v, B * H, L, S, E, Ev, 1 / Math.Sqrt(E),
            bias: (bh, i, j) => bias[((bh / H) * L + i) * S + j]);
        var y = F.ScaledDotProductAttention(Data.F32(q, [B, H, L, E], d), Data.F32(k, [B, H, S, E], d), Data.F32(v, [B, H, S, Ev], d),
            mask: Data.F32(bias, [B, 1, L, S], d));
        var (r, a) = Tol.Products(d);
        Expect.Close(expected, [B, H, L, Ev], y, r, a);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void CausalAttentionLetsQueryISeeOnlyKeysUpToI(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var (q, k, v) = Qkv(60, L, L);
        var (expected, _) = Reference.Attention(q, k, v, B * H, L, L, E, Ev, 1 / Math.Sqrt(E), (_, i, j) => j <= i);
        var y = F.ScaledDotProductAttention(Data.F32(q, [B, H, L, E], d), Data.F32(k, [B, H, L, E], d), Data.F32(v, [B, H, L, Ev], d), isCausal: true);
        var (r, a) = Tol.Products(d);
        Expect.Close(expected, [B, H, L, Ev], y, r, a);
        // query 0 sees key 0 alone, so its output is value 0
        Expect.Close(v.Take(Ev).ToArray(), [Ev], y[0, 0, 0], r, a);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AttentionWithWeightsReturnsTheSoftmaxWeights(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var (q, k, v) = Qkv(70, L, L);
        var (expected, weights) = Reference.Attention(q, k, v, B * H, L, L, E, Ev, 1 / Math.Sqrt(E), (_, i, j) => j <= i);
        var (y, w) = F.ScaledDotProductAttentionWithWeights(Data.F32(q, [B, H, L, E], d), Data.F32(k, [B, H, L, E], d), Data.F32(v, [B, H, L, Ev], d), isCausal: true);
        var (r, a) = Tol.Products(d);
        Expect.Close(expected, [B, H, L, Ev], y, r, a);
        Expect.Close(weights, [B, H, L, L], w, r, a);
        Expect.Close(Enumerable.Repeat(1.0, B * H * L).ToArray(), w.Sum(-1), 1e-5, 1e-5);
        Assert.Equal(0, w.Triu(1).Abs().Sum().Item<float>()); // nothing above the diagonal
    }

    [Fact]
    public void AttentionWithWeightsCombinesACausalAndABoolMask()
    {
        using var scope = DisposeScope.Enter();
        var (q, k, v) = Qkv(80, L, L);
        bool Allowed(int i, int j) => j <= i && (j != 1 || i == 1);
        var mask = new bool[L * L];
        for (int i = 0; i < L; i++) for (int j = 0; j < L; j++) mask[i * L + j] = j != 1 || i == 1;
        var (expected, weights) = Reference.Attention(q, k, v, B * H, L, L, E, Ev, 1 / Math.Sqrt(E), (_, i, j) => Allowed(i, j));
        var (y, w) = F.ScaledDotProductAttentionWithWeights(Data.F32(q, [B, H, L, E], Device.Cpu), Data.F32(k, [B, H, L, E], Device.Cpu),
            Data.F32(v, [B, H, L, Ev], Device.Cpu), mask: Tensor.From(mask, [L, L]), isCausal: true);
        Expect.Close(expected, [B, H, L, Ev], y, 1e-5, 1e-5);
        Expect.Close(weights, [B, H, L, L], w, 1e-5, 1e-5);
    }

    // ---- losses ----

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void MseAndL1LossesWithEachReduction(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new float[] { 1, 2, 3, 4 }, [2, 2], d);
        var y = Tensor.From(new float[] { 0, 2, 5, 3.5f }, [2, 2], d);
        Expect.Close([(1 + 0 + 4 + 0.25) / 4], [], F.MseLoss(x, y), 1e-6);
        Expect.Close([5.25], [], F.MseLoss(x, y, Reduction.Sum), 1e-6);
        Expect.Close([1, 0, 4, 0.25], [2, 2], F.MseLoss(x, y, Reduction.None), 1e-6);
        Expect.Close([(1 + 0 + 2 + 0.5) / 4], [], F.L1Loss(x, y), 1e-6);
        Expect.Close([3.5], [], F.L1Loss(x, y, Reduction.Sum), 1e-6);
        Expect.Close([1, 0, 2, 0.5], [2, 2], F.L1Loss(x, y, Reduction.None), 1e-6);
    }

    private static double[] LogSoftmaxRows(double[] logits, int n, int c) => Reference.Softmax(logits, [n, c], 1, log: true);

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void CrossEntropyIsTheMeanNegativeLogLikelihoodOfTheTargets(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        const int n = 4, c = 5;
        var logits = Data.UniformF(n * c, 90, -2, 2);
        long[] target = [3, 0, 4, 1];
        var logp = LogSoftmaxRows(logits, n, c);
        var nll = Enumerable.Range(0, n).Select(i => -logp[i * c + target[i]]).ToArray();
        var tl = Data.F32(logits, [n, c], d);
        var tt = Tensor.From(target, device: d);
        Expect.Close([nll.Average()], [], F.CrossEntropy(tl, tt), 1e-5, 1e-6);
        Expect.Close([nll.Sum()], [], F.CrossEntropy(tl, tt, reduction: Reduction.Sum), 1e-5, 1e-6);
        Expect.Close(nll, [n], F.CrossEntropy(tl, tt, reduction: Reduction.None), 1e-5, 1e-6);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void CrossEntropyWithClassWeightsIgnoreIndexAndLabelSmoothing(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        const int n = 4, c = 3;
        var logits = Data.UniformF(n * c, 91, -2, 2);
        long[] target = [2, 0, 1, 2];
        double[] weight = [0.5, 2, 1];
        var logp = LogSoftmaxRows(logits, n, c);
        var tl = Data.F32(logits, [n, c], d);
        var tt = Tensor.From(target, device: d);

        // weighted mean: Σ w_y · nll / Σ w_y
        double num = 0, den = 0;
        for (int i = 0; i < n; i++) { num += weight[target[i]] * -logp[i * c + target[i]]; den += weight[target[i]]; }
        Expect.Close([num / den], [], F.CrossEntropy(tl, tt, weight: Data.F32(weight, [c], d)), 1e-5, 1e-6);

        // ignore_index: the ignored rows count in neither the sum nor the mean
        var ignoring = Tensor.From(new long[] { 2, -1, 1, -1 }, device: d);
        double kept = (-logp[0 * c + 2] - logp[2 * c + 1]) / 2;
        Expect.Close([kept], [], F.CrossEntropy(tl, ignoring, ignoreIndex: -1), 1e-5, 1e-6);

        // label smoothing ε: (1 - ε) · nll + ε · mean over classes of -log p
        const double eps = 0.2;
        double smoothed = 0;
        for (int i = 0; i < n; i++)
        {
            double uniform = 0;
            for (int j = 0; j < c; j++) uniform += -logp[i * c + j];
            smoothed += (1 - eps) * -logp[i * c + target[i]] + eps * uniform / c;
        }
        Expect.Close([smoothed / n], [], F.CrossEntropy(tl, tt, labelSmoothing: eps), 1e-5, 1e-6);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void CrossEntropyOverSpatialPositionsTakesClassesFromDimOne(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        const int n = 2, c = 3, p = 4; // logits (N, C, P), targets (N, P)
        var logits = Data.UniformF(n * c * p, 92, -2, 2);
        long[] target = [0, 1, 2, 1, 2, 2, 0, 1];
        double total = 0;
        for (int i = 0; i < n; i++)
            for (int pos = 0; pos < p; pos++)
            {
                var row = Enumerable.Range(0, c).Select(j => logits[(i * c + j) * p + pos]).ToArray();
                double lse = Math.Log(row.Sum(Math.Exp));
                total += lse - row[target[i * p + pos]];
            }
        Expect.Close([total / (n * p)], [], F.CrossEntropy(Data.F32(logits, [n, c, p], d), Tensor.From(target, [n, p], d)), 1e-5, 1e-6);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void EmbeddingPicksRowsOfTheTable(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var table = Tensor.Arange(12, DType.Float32, d).Reshape(4, 3);
        var idx = Tensor.From(new long[] { 3, 0, 3, 1 }, [2, 2], d);
        Expect.Close([9, 10, 11, 0, 1, 2, 9, 10, 11, 3, 4, 5], [2, 2, 3], F.Embedding(idx, table), 0, 0);
    }
}
