namespace Workbench.Tests;

public class ElementwiseTests
{
    private static readonly double[] Mixed = [-2.5, -1.5, -0.5, -0.3, 0, 0.4, 0.5, 1.2, 1.5, 2.5];
    private static readonly double[] Positive = [0.1, 0.25, 0.5, 1, 1.5, 2, 3, 7.5];

    // name → (op, reference, inputs)
    private static readonly Dictionary<string, (Func<Tensor, Tensor> Op, Func<double, double> Ref, double[] Input)> Unary = new()
    {
        ["neg"] = (t => -t, x => -x, Mixed),
        ["abs"] = (t => t.Abs(), Math.Abs, Mixed),
        ["exp"] = (t => t.Exp(), Math.Exp, Mixed),
        ["log"] = (t => t.Log(), Math.Log, Positive),
        ["log1p"] = (t => t.Log1p(), x => Math.Log(1 + x), Positive),
        ["expm1"] = (t => t.Expm1(), x => Math.Exp(x) - 1, Mixed),
        ["sqrt"] = (t => t.Sqrt(), Math.Sqrt, Positive),
        ["rsqrt"] = (t => t.Rsqrt(), x => 1 / Math.Sqrt(x), Positive),
        ["square"] = (t => t.Square(), x => x * x, Mixed),
        ["reciprocal"] = (t => t.Reciprocal(), x => 1 / x, Positive),
        ["sin"] = (t => t.Sin(), Math.Sin, Mixed),
        ["cos"] = (t => t.Cos(), Math.Cos, Mixed),
        ["tanh"] = (t => t.Tanh(), Math.Tanh, Mixed),
        ["sigmoid"] = (t => t.Sigmoid(), Reference.Sigmoid, Mixed),
        ["relu"] = (t => t.Relu(), x => Math.Max(x, 0), Mixed),
        ["erf"] = (t => t.Erf(), Reference.Erf, Mixed),
        ["floor"] = (t => t.Floor(), Math.Floor, Mixed),
        ["ceil"] = (t => t.Ceil(), Math.Ceiling, Mixed),
        ["round (half to even)"] = (t => t.Round(), x => Math.Round(x, MidpointRounding.ToEven), Mixed),
        ["sign"] = (t => t.Sign(), x => Math.Sign(x), Mixed),
    };

    public static TheoryData<string, string> UnaryCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var device in TestDevices.All) foreach (var name in Unary.Keys) data.Add(device, name);
        return data;
    }

    [Theory]
    [MemberData(nameof(UnaryCases))]
    public void UnaryOpsMatchTheMathLibrary(string device, string op)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var (f, reference, input) = Unary[op];
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var x = Tensor.From(input, device: d).To(dtype);
            var y = f(x);
            Assert.Equal(dtype, y.DType);
            double tol = dtype == DType.Float32 ? 2e-6 : 1e-12;
            Expect.Close(input.Select(reference).ToArray(), [input.Length], y, tol, tol);
        }
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void BinaryOpsBroadcastTrailingDimensions(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var a = Data.UniformF(6, 1);                    // (2, 3, 1)
        var b = Data.UniformF(4, 2, low: 0.5, high: 2); // (4)
        var ta = Data.F32(a, [2, 3, 1], d);
        var tb = Data.F32(b, [4], d);

        double[] Expected(Func<double, double, double> op)
        {
            var r = new double[24];
            for (int i = 0; i < 6; i++) for (int j = 0; j < 4; j++) r[i * 4 + j] = op(a[i], b[j]);
            return r;
        }
        Expect.Close(Expected((x, y) => x + y), [2, 3, 4], ta + tb);
        Expect.Close(Expected((x, y) => x - y), [2, 3, 4], ta - tb);
        Expect.Close(Expected((x, y) => x * y), [2, 3, 4], ta * tb);
        Expect.Close(Expected((x, y) => x / y), [2, 3, 4], ta / tb);
        Expect.Close(Expected(Math.Max), [2, 3, 4], ta.Maximum(tb));
        Expect.Close(Expected(Math.Min), [2, 3, 4], ta.Minimum(tb));
        Expect.Close(Expected(Math.Atan2), [2, 3, 4], ta.Atan2(tb));
        Expect.Close(Expected((x, y) => Math.Pow(Math.Abs(x), y)), [2, 3, 4], ta.Abs().Pow(tb));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ScalarOperandsWorkOnEitherSide(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var t = Tensor.From(new float[] { 1, 2, 4 }, device: d);
        Expect.Exactly([3, 4, 6], t + 2);
        Expect.Exactly([3, 4, 6], 2 + t);
        Expect.Exactly([-1, 0, 2], t - 2);
        Expect.Exactly([9, 8, 6], 10 - t);
        Expect.Exactly([0.5, 1, 2], t * 0.5);
        Expect.Exactly([0.5, 1, 2], 0.5 * t);
        Expect.Exactly([0.25, 0.5, 1], t / 4);
        Expect.Exactly([4, 2, 1], 4 / t);
        Expect.Exactly([1, 4, 16], t.Pow(2));
        Expect.Exactly([3, 9, 81], Tensor.Pow(3, t));
        Expect.Exactly([-1, -2, -4], -t);
    }

    [Fact]
    public void IntegerTensorsStayIntegerWithIntegerScalarsAndPromoteWithFloats()
    {
        using var scope = DisposeScope.Enter();
        var t = Tensor.From(new long[] { 1, 2, 3 });
        var plusInt = t + 2;
        Assert.Equal(DType.Int64, plusInt.DType);
        Assert.Equal([3L, 4, 5], plusInt.ToArray<long>());

        var plusFloat = t + 0.5;
        Assert.Equal(DType.Float32, plusFloat.DType);
        Assert.Equal([1.5f, 2.5f, 3.5f], plusFloat.ToArray<float>());

        var i32 = Tensor.From(new int[] { 7, 9 });
        Assert.Equal(DType.Int32, (i32 * 3).DType);
        Assert.Equal(DType.Int64, (i32 + t[..2]).DType); // int32 + int64 promotes to int64
    }

    [Fact]
    public void DivisionOfIntegersIsTrueDivision()
    {
        using var scope = DisposeScope.Enter();
        var q = Tensor.From(new long[] { 7, -7 }) / Tensor.From(new long[] { 2, 2 });
        Assert.Equal(DType.Float32, q.DType);
        Assert.Equal([3.5f, -3.5f], q.ToArray<float>());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void RemainderTakesTheSignOfTheDivisorAsInPython(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var a = Tensor.From(new long[] { 7, -7, 7, -7 }, device: d);
        var b = Tensor.From(new long[] { 3, 3, -3, -3 }, device: d);
        Assert.Equal([1L, 2, -2, -1], (a % b).Cpu().ToArray<long>());
        Assert.Equal([1L, 2, 1, 2], (a % 3).Cpu().ToArray<long>());
        Expect.Close([0.5, 1.0], Tensor.From(new float[] { 2.5f, -1f }, device: d) % 2.0);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ComparisonsGiveBoolTensors(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var a = Tensor.From(new float[] { 1, 2, 3 }, device: d);
        var b = Tensor.From(new float[] { 3, 2, 1 }, device: d);
        bool[] B(Tensor t) { Assert.Equal(DType.Bool, t.DType); return t.Cpu().ToArray<bool>(); }
        Assert.Equal([false, true, false], B(a.Eq(b)));
        Assert.Equal([true, false, true], B(a.Ne(b)));
        Assert.Equal([true, false, false], B(a < b));
        Assert.Equal([true, true, false], B(a <= b));
        Assert.Equal([false, false, true], B(a > b));
        Assert.Equal([false, true, true], B(a >= b));
        Assert.Equal([false, true, false], B(a.Eq(2)));
        Assert.Equal([true, false, true], B(a.Ne(2)));
        Assert.Equal([true, false, false], B(a < 2));
        Assert.Equal([true, true, false], B(a <= 2));
        Assert.Equal([false, false, true], B(a > 2));
        Assert.Equal([false, true, true], B(a >= 2));
        Assert.Equal([false, false, false], B((a < 2) & (a > 2)));
        Assert.Equal([true, false, true], B((a < 2) | (a > 2)));
        Assert.Equal([false, true, false], B(!((a < 2) | (a > 2))));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void WhereClampLerpAndMaskedFillFollowTheirDefinitions(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new float[] { -2, -0.5f, 0.5f, 2 }, device: d);
        var y = Tensor.From(new float[] { 10, 20, 30, 40 }, device: d);

        Expect.Exactly([10, 20, 0.5, 2], Tensor.Where(x > 0, x, y));
        Expect.Exactly([-1, -0.5, 0.5, 1], x.Clamp(-1, 1));
        Expect.Exactly([0, 0, 0.5, 2], x.ClampMin(0));
        Expect.Exactly([-2, -0.5, 0, 0], x.ClampMax(0));
        // lerp: x + w (y - x)
        var w = Tensor.From(new float[] { 0, 0.5f, 1, 0.25f }, device: d);
        Expect.Close([-2, 9.75, 30, 2 + 0.25 * 38], x.Lerp(y, w));
        Expect.Exactly([-2, -0.5, 7, 7], x.MaskedFill(x > 0, 7));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void NanAndInfinityAreDetected(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var t = Tensor.From(new[] { 1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity }, device: d);
        Assert.Equal([false, true, false, false], t.IsNaN().Cpu().ToArray<bool>());
        Assert.Equal([false, false, true, true], t.IsInf().Cpu().ToArray<bool>());
        Assert.Equal([true, false, false, false], t.IsFinite().Cpu().ToArray<bool>());
        Assert.True(double.IsNaN((Tensor.From(new[] { -1f }, device: d).Log()).Item<float>()));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void InPlaceOpsChangeTheTensorAndReturnIt(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var t = Tensor.From(new float[] { 1, 2, 3 }, device: d);
        var other = Tensor.From(new float[] { 2, 2, 2 }, device: d);

        Assert.Same(t, t.Add_(other));       Expect.Exactly([3, 4, 5], t);
        Assert.Same(t, t.Sub_(other));       Expect.Exactly([1, 2, 3], t);
        Assert.Same(t, t.Mul_(other));       Expect.Exactly([2, 4, 6], t);
        Assert.Same(t, t.Div_(other));       Expect.Exactly([1, 2, 3], t);
        Assert.Same(t, t.Add_(1));           Expect.Exactly([2, 3, 4], t);
        Assert.Same(t, t.Mul_(2));           Expect.Exactly([4, 6, 8], t);
        Assert.Same(t, t.Div_(4));           Expect.Exactly([1, 1.5, 2], t);
        Assert.Same(t, t.Add_(other, -0.5)); Expect.Exactly([0, 0.5, 1], t);           // t += α·other
        Assert.Same(t, t.AddCMul_(other, other, 0.25)); Expect.Exactly([1, 1.5, 2], t); // t += v·a·b
        Assert.Same(t, t.AddCDiv_(other, other, 2));    Expect.Exactly([3, 3.5, 4], t); // t += v·a/b
        Assert.Same(t, t.Lerp_(other, 0.5)); Expect.Exactly([2.5, 2.75, 3], t);        // t += w (end - t)
        Assert.Same(t, t.ClampMin_(2.6));    Expect.Close([2.6, 2.75, 3], t);
        Assert.Same(t, t.ClampMax_(2.7));    Expect.Close([2.6, 2.7, 2.7], t);
        Assert.Same(t, t.Fill_(9));          Expect.Exactly([9, 9, 9], t);
        Assert.Same(t, t.Copy_(Tensor.From(new double[] { 1.5 }, device: d))); Expect.Exactly([1.5, 1.5, 1.5], t); // broadcast, converted
        Assert.Equal(DType.Float32, t.DType);
        Assert.Same(t, t.Zero_());           Expect.Exactly([0, 0, 0], t);
    }

    [Fact]
    public void InPlaceOpsWriteThroughViews()
    {
        using var scope = DisposeScope.Enter();
        var t = Tensor.Zeros([2, 3]);
        t.Select(0, 1).Fill_(5);
        t.Narrow(1, 0, 1).Add_(1);
        Assert.Equal([1f, 0, 0, 6, 5, 5], t.ToArray<float>());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AllCloseUsesRelativeAndAbsoluteTolerance(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var a = Tensor.From(new double[] { 100, 1 }, device: d);
        Assert.True(a.AllClose(Tensor.From(new double[] { 100.05, 1 }, device: d), rtol: 1e-3, atol: 0));   // 0.05 <= 0.1
        Assert.False(a.AllClose(Tensor.From(new double[] { 100.2, 1 }, device: d), rtol: 1e-3, atol: 0));   // 0.2 > 0.1
        Assert.True(a.AllClose(Tensor.From(new double[] { 100, 1.4 }, device: d), rtol: 0, atol: 0.5));
        Assert.False(a.AllClose(Tensor.From(new double[] { 100, 1.6 }, device: d), rtol: 0, atol: 0.5));
    }

    [Fact]
    public void CloneIsIndependentOfItsSource()
    {
        using var scope = DisposeScope.Enter();
        var t = Tensor.From(new float[] { 1, 2 });
        var c = t.Clone();
        t.Fill_(0);
        Assert.Equal([1f, 2f], c.ToArray<float>());
    }
}
