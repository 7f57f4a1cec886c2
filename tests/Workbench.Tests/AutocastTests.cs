namespace Workbench.Tests;

/// <summary>Autocast regions (torch.autocast): what runs in bfloat16, what stays float32, and the state's life cycle.</summary>
public class AutocastTests
{
    /// <summary>x rounded to the nearest bfloat16 (ties to even), the rounding libtorch applies when it casts float32 to bfloat16.</summary>
    private static double ToBFloat16(double x)
    {
        uint bits = BitConverter.SingleToUInt32Bits((float)x);
        bits += 0x7FFF + ((bits >> 16) & 1);
        return BitConverter.UInt32BitsToSingle(bits & 0xFFFF0000);
    }

    [Fact]
    public void BFloat16RoundingReferenceKeepsEightSignificantBits()
    {
        Assert.Equal(1.0, ToBFloat16(1.0));
        Assert.Equal(1.0, ToBFloat16(1 + 1.0 / 512));            // halfway between 1 and 1 + 2⁻⁷: ties to even
        Assert.Equal(1 + 1.0 / 128, ToBFloat16(1 + 3.0 / 512));  // above halfway: rounds up
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void LinearRunsInBFloat16OnInputsRoundedToBFloat16(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        double[] x = Data.UniformF(6 * 20, 1), w = Data.UniformF(5 * 20, 2), b = Data.UniformF(5, 3);
        var (xt, wt, bt) = (Data.F32(x, [6, 20], d), Data.F32(w, [5, 20], d), Data.F32(b, [5], d));
        Tensor y;
        using (new Autocast(d)) y = F.Linear(xt, wt, bt);
        Assert.Equal(DType.BFloat16, y.DType);
        Assert.Equal(DType.Float32, wt.DType);
        static double[] Round(double[] v) => v.Select(ToBFloat16).ToArray();
        // bfloat16 keeps 8 significant bits: the output's own rounding is at most 2⁻⁹ relative.
        Expect.Close(Reference.Linear(Round(x), 6, 20, Round(w), 5, Round(b)), [6, 5], y, rtol: 4e-3, atol: 1e-2);
        Assert.Equal(DType.Float32, F.Linear(xt, wt, bt).DType);   // after the region: float32 again
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void GradientsOfFloat32WeightsStayFloat32(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        double[] x = Data.UniformF(4 * 8, 4), w = Data.UniformF(3 * 8, 5);
        var weight = Data.F32(w, [3, 8], d, requiresGrad: true);
        Tensor loss;
        using (new Autocast(d)) loss = F.Linear(Data.F32(x, [4, 8], d), weight, null).Sum();
        loss.Backward();
        var grad = weight.Grad!;
        Assert.Equal(DType.Float32, grad.DType);
        // d(Σ x Wᵀ)/dW[o, i] = Σ_n x[n, i], for every output o (computed from bfloat16-rounded x).
        var expected = new double[3 * 8];
        for (int o = 0; o < 3; o++)
            for (int i = 0; i < 8; i++)
                for (int n = 0; n < 4; n++) expected[o * 8 + i] += x[n * 8 + i];
        Expect.Close(expected, [3, 8], grad, rtol: 1e-2, atol: 1e-2);
    }

    [Fact]
    public void RegionsNestAndRestoreTheStateBeforeThem()
    {
        Assert.False(Autocast.IsEnabled(DeviceType.Cpu));
        using (var outer = new Autocast(Device.Cpu))
        {
            Assert.True(Autocast.IsEnabled(DeviceType.Cpu));
            Assert.Equal(DType.BFloat16, Autocast.LowerPrecision(DeviceType.Cpu));
            using (new Autocast(Device.Cpu, enabled: false))
            {
                Assert.False(Autocast.IsEnabled(DeviceType.Cpu));
                using var scope = DisposeScope.Enter();
                Assert.Equal(DType.Float32, Tensor.Ones([2, 2]).MatMul(Tensor.Ones([2, 2])).DType);
            }
            Assert.True(Autocast.IsEnabled(DeviceType.Cpu));
        }
        Assert.False(Autocast.IsEnabled(DeviceType.Cpu));
    }

    [Fact]
    public void TheStateBelongsToTheThreadThatOpenedTheRegion()
    {
        using var region = new Autocast(Device.Cpu);
        bool seenElsewhere = true;
        var thread = new Thread(() => seenElsewhere = Autocast.IsEnabled(DeviceType.Cpu));
        thread.Start();
        thread.Join();
        Assert.False(seenElsewhere);
        Exception? closing = null;
        thread = new Thread(() => closing = Record.Exception(region.Dispose));
        thread.Start();
        thread.Join();
        Assert.Contains("thread that opened it", Assert.IsType<InvalidOperationException>(closing).Message);
    }

    [Fact]
    public void ClosingTheOutermostRegionForgetsCastWeights()
    {
        // Inside one region a weight is cast once (libtorch's autocast cache); a later region must see the
        // weight's new values, so the cache is cleared when the outermost region closes.
        using var scope = DisposeScope.Enter();
        var weight = Tensor.Ones([2, 2]).RequiresGrad_();
        var x = Tensor.Ones([1, 2]);
        Tensor first, second;
        using (new Autocast(Device.Cpu)) first = F.Linear(x, weight, null);
        using (new NoGrad()) weight.Mul_(3);
        using (new Autocast(Device.Cpu)) second = F.Linear(x, weight, null);
        Expect.Exactly([2, 2], first);
        Expect.Exactly([6, 6], second);
    }

    [Fact]
    public void BadRequestsAreRefusedWithTheReason()
    {
        var e = Assert.Throws<ArgumentException>(() => new Autocast(Device.Cpu, DType.Float32));
        Assert.Contains("bfloat16 or float16", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Autocast(Device.Cpu, DType.Float16));
        Assert.Contains("CPU autocast supports bfloat16 only", e.Message);
        Assert.False(Autocast.IsEnabled(DeviceType.Cpu));
        if (!TestDevices.HasCuda)
            Assert.Contains("needs a CUDA device", Assert.Throws<ArgumentException>(() => new Autocast(Device.Cuda())).Message);
    }

    [Fact]
    public void PrecisionOptionsParse()
    {
        Assert.Null(Autocast.ParsePrecision("fp32"));
        Assert.Equal(DType.BFloat16, Autocast.ParsePrecision("bf16"));
        Assert.Equal(DType.Float16, Autocast.ParsePrecision("FP16"));
        Assert.Contains("expected fp32, bf16 or fp16", Assert.Throws<ArgumentException>(() => Autocast.ParsePrecision("int8")).Message);
        Assert.Null(Autocast.IfEnabled(Device.Cpu, null));
    }

    [Fact]
    public void CudaAttentionRunsInBFloat16()
    {
        Assert.SkipUnless(TestDevices.HasCuda, "no CUDA device on this machine");
        using var scope = DisposeScope.Enter();
        var q = Tensor.Randn([2, 4, 64, 32], device: Device.Cuda());
        Tensor attended, normed;
        using (new Autocast(Device.Cuda()))
        {
            attended = F.ScaledDotProductAttention(q, q, q);
            normed = F.LayerNorm(attended, [32], null, null, 1e-6);
        }
        Assert.Equal(DType.BFloat16, attended.DType);
        Assert.Equal(DType.Float32, normed.DType);                 // layer norm is on autocast's float32 list
        var reference = F.ScaledDotProductAttention(q, q, q);
        Assert.True(attended.To(DType.Float32).AllClose(reference, rtol: 2e-2, atol: 2e-2));
    }
}
