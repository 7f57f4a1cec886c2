namespace Workbench.Tests;

public class CreationTests
{
    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ZerosOnesAndFullHaveTheShapeDtypeDeviceAndValueAskedFor(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();

        var z = Tensor.Zeros([2, 3], device: d);
        Assert.Equal([2L, 3L], z.Shape);
        Assert.Equal(DType.Float32, z.DType);
        Assert.Equal(d, z.Device);
        Assert.Equal(new double[6], Expect.Values(z));

        var o = Tensor.Ones([4], DType.Float64, d);
        Assert.Equal(DType.Float64, o.DType);
        Assert.Equal([1.0, 1, 1, 1], Expect.Values(o));

        var f = Tensor.Full([2, 2], 2.5, device: d);
        Assert.Equal(DType.Float32, f.DType);
        Assert.Equal([2.5, 2.5, 2.5, 2.5], Expect.Values(f));
    }

    [Fact]
    public void FullWithAnIntegerValueIsInt64AndWithAFloatValueIsTheDefaultFloat()
    {
        using var scope = DisposeScope.Enter();
        Assert.Equal(DType.Int64, Tensor.Full([2], 7).DType);
        Assert.Equal(DType.Float32, Tensor.Full([2], 7.0).DType);
        Assert.Equal([7L, 7L], Tensor.Full([2], 7).ToArray<long>());
        Assert.Equal(DType.Int32, Tensor.Full([2], 7, DType.Int32).DType);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void EveryFloatFactoryHonoursRequiresGrad(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var made = new Dictionary<string, Tensor>
        {
            ["zeros"] = Tensor.Zeros([2], device: d, requiresGrad: true),
            ["ones"] = Tensor.Ones([2], device: d, requiresGrad: true),
            ["empty"] = Tensor.Empty([2], device: d, requiresGrad: true),
            ["full"] = Tensor.Full([2], 1.5, device: d, requiresGrad: true),
            ["scalar"] = Tensor.FromScalar(1.5, device: d, requiresGrad: true),
            ["randn"] = Tensor.Randn([2], device: d, requiresGrad: true),
            ["rand"] = Tensor.Rand([2], device: d, requiresGrad: true),
            ["from"] = Tensor.From(new float[] { 1, 2 }, device: d, requiresGrad: true),
        };
        foreach (var (name, t) in made)
        {
            Assert.True(t.RequiresGrad, $"{name}(requiresGrad: true) gave a tensor that does not require grad");
            Assert.True(t.IsLeaf, name);
        }
        Assert.False(Tensor.Zeros([2], device: d).RequiresGrad);
    }

    [Fact]
    public void EmptyHasTheShapeAskedFor()
    {
        using var scope = DisposeScope.Enter();
        var e = Tensor.Empty([3, 0, 2]);
        Assert.Equal([3L, 0L, 2L], e.Shape);
        Assert.Equal(0, e.NumEl);
        Assert.Empty(e.ToArray<float>());
    }

    [Fact]
    public void FromScalarIsZeroDimensional()
    {
        using var scope = DisposeScope.Enter();
        var s = Tensor.FromScalar(2.5);
        Assert.Equal(0, s.Rank);
        Assert.Equal(1, s.NumEl);
        Assert.Equal(2.5f, s.Item<float>());
        var i = Tensor.FromScalar(7);
        Assert.Equal(DType.Int64, i.DType);
        Assert.Equal(7L, i.Item<long>());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ArangeCountsFromStartToEndExclusive(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();

        var ints = Tensor.Arange(5, device: d);
        Assert.Equal(DType.Int64, ints.DType);
        Assert.Equal([0L, 1, 2, 3, 4], ints.Cpu().ToArray<long>());

        var stepped = Tensor.Arange(2, 11, 3, device: d);
        Assert.Equal([2L, 5, 8], stepped.Cpu().ToArray<long>());

        var floats = Tensor.Arange(0.0, 1.0, 0.25, device: d);
        Assert.Equal(DType.Float32, floats.DType);
        Assert.Equal([0f, 0.25f, 0.5f, 0.75f], floats.Cpu().ToArray<float>());

        var down = Tensor.Arange(3, 0, -1, device: d);
        Assert.Equal([3L, 2, 1], down.Cpu().ToArray<long>());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void LinspaceIncludesBothEnds(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var t = Tensor.Linspace(-1, 1, 5, DType.Float64, d);
        Expect.Close([-1, -0.5, 0, 0.5, 1], [5], t, 0, 1e-15);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void EyeIsTheIdentity(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        Expect.Close([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3], Tensor.Eye(3, device: d), 0, 0);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void FromCopiesDataInRowMajorOrderAndToArrayReadsItBack(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var data = new float[] { 1, 2, 3, 4, 5, 6 };
        var t = Tensor.From(data, [2, 3], d);
        data[0] = 100; // the tensor holds a copy
        Assert.Equal([2L, 3L], t.Shape);
        Assert.Equal(d, t.Device);
        Assert.Equal([1f, 2, 3, 4, 5, 6], t.ToArray<float>());
        Assert.Equal(6f, t[1, 2].Item<float>());
    }

    [Fact]
    public void FromRectangularArraysKeepsTheirShape()
    {
        using var scope = DisposeScope.Enter();
        var m = Tensor.From(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Assert.Equal([2L, 3L], m.Shape);
        Assert.Equal(DType.Float64, m.DType);
        Assert.Equal(4.0, m[1, 0].Item<double>());

        var c = Tensor.From(new int[,,] { { { 1, 2 } }, { { 3, 4 } } });
        Assert.Equal([2L, 1L, 2L], c.Shape);
        Assert.Equal([1, 2, 3, 4], c.ToArray<int>());
    }

    [Fact]
    public void FromKeepsTheDtypeOfEveryNetElementType()
    {
        using var scope = DisposeScope.Enter();
        Assert.Equal(DType.Float32, Tensor.From(new float[] { 1 }).DType);
        Assert.Equal(DType.Float64, Tensor.From(new double[] { 1 }).DType);
        Assert.Equal(DType.Int64, Tensor.From(new long[] { 1 }).DType);
        Assert.Equal(DType.Int32, Tensor.From(new int[] { 1 }).DType);
        Assert.Equal(DType.Int16, Tensor.From(new short[] { 1 }).DType);
        Assert.Equal(DType.Int8, Tensor.From(new sbyte[] { 1 }).DType);
        Assert.Equal(DType.UInt8, Tensor.From(new byte[] { 1 }).DType);
        Assert.Equal(DType.Bool, Tensor.From(new bool[] { true }).DType);
        Assert.Equal(DType.Float16, Tensor.From(new Half[] { (Half)1 }).DType);

        Assert.Equal([true, false, true], Tensor.From(new[] { true, false, true }).ToArray<bool>());
        Assert.Equal([(byte)0, 255], Tensor.From(new byte[] { 0, 255 }).ToArray<byte>());
        Assert.Equal([(Half)0.5, (Half)(-2)], Tensor.From(new[] { (Half)0.5, (Half)(-2) }).ToArray<Half>());
    }

    [Fact]
    public void CopyToFillsASpan()
    {
        using var scope = DisposeScope.Enter();
        var t = Tensor.From(new long[] { 3, 1, 4, 1, 5, 9 }, [3, 2]);
        Span<long> buffer = stackalloc long[6];
        t.CopyTo(buffer);
        Assert.Equal([3L, 1, 4, 1, 5, 9], buffer.ToArray());
    }

    [Fact]
    public void ToArrayOfANonContiguousViewIsInLogicalOrder()
    {
        using var scope = DisposeScope.Enter();
        var t = Tensor.From(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]).T; // (3, 2) view
        Assert.False(t.IsContiguous);
        Assert.Equal([1f, 4, 2, 5, 3, 6], t.ToArray<float>());
    }

    [Fact]
    public void ItemConvertsToTheRequestedNumberType()
    {
        using var scope = DisposeScope.Enter();
        Assert.Equal(2.5, Tensor.FromScalar(2.5).Item<double>());
        Assert.Equal(3, Tensor.From(new long[] { 3 }).Item<int>());
        Assert.Equal(1, Tensor.From(new[] { true }).Item<int>());
        Assert.Equal(-4.0, Tensor.From(new int[] { -4 }, [1, 1]).Item<double>());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void LikeConstructorsCopyShapeDtypeAndDevice(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var t = Tensor.Zeros([2, 5], DType.Float64, d);
        foreach (var like in new[] { Tensor.ZerosLike(t), Tensor.OnesLike(t), Tensor.FullLike(t, 3.0), Tensor.RandnLike(t), Tensor.RandLike(t) })
        {
            Assert.Equal([2L, 5L], like.Shape);
            Assert.Equal(DType.Float64, like.DType);
            Assert.Equal(d, like.Device);
        }
        Assert.All(Expect.Values(Tensor.OnesLike(t)), v => Assert.Equal(1, v));
        Assert.All(Expect.Values(Tensor.FullLike(t, 3.0)), v => Assert.Equal(3, v));
        Assert.Equal(DType.Int32, Tensor.ZerosLike(t, DType.Int32).DType);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ToConvertsDtypeAndMovesBetweenDevices(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var t = Tensor.From(new float[] { 1.7f, -2.2f, 3 });
        var moved = t.To(d);
        Assert.Equal(d, moved.Device);
        Assert.Equal(Device.Cpu, moved.Cpu().Device);

        var asLong = moved.Long();
        Assert.Equal(DType.Int64, asLong.DType);
        Assert.Equal([1L, -2, 3], asLong.Cpu().ToArray<long>()); // truncation toward zero, as in C
        Assert.Equal(DType.Float64, moved.Double().DType);
        Assert.Equal(DType.Float32, asLong.Float().DType);

        var copy = moved.To(DType.Float32, d, copy: true);
        copy.Fill_(0);
        Assert.Equal([1.7f, -2.2f, 3f], moved.Cpu().ToArray<float>());
    }

    [Fact]
    public void StridesAndContiguityDescribeTheLayout()
    {
        using var scope = DisposeScope.Enter();
        var t = Tensor.Zeros([2, 3, 4]);
        Assert.Equal([12L, 4L, 1L], t.Strides());
        Assert.True(t.IsContiguous);
        var p = t.Permute(2, 0, 1);
        Assert.Equal([1L, 12L, 4L], p.Strides());
        Assert.False(p.IsContiguous);
        Assert.True(p.Contiguous().IsContiguous);
        Assert.Equal(24, p.NumEl);
        Assert.Equal(3, p.Size(-1));
        Assert.Equal(4, p.Size(0));
    }

    [Fact]
    public void DTypeNamesParseAndDescribeElementSizes()
    {
        Assert.Equal(DType.BFloat16, DTypeExtensions.Parse("bf16"));
        Assert.Equal(DType.Float64, DTypeExtensions.Parse(" Double "));
        Assert.Equal(DType.Int64, DTypeExtensions.Parse("long"));
        Assert.Equal("bfloat16", DType.BFloat16.Name());
        Assert.Equal(2, DType.BFloat16.ElementSize());
        Assert.Equal(8, DType.Int64.ElementSize());
        Assert.Equal(1, DType.Bool.ElementSize());
        Assert.True(DType.Float16.IsFloatingPoint());
        Assert.False(DType.Int32.IsFloatingPoint());
    }

    [Fact]
    public void DevicesParseAndPrintLikePyTorch()
    {
        Assert.Equal(Device.Cpu, Device.Parse("CPU"));
        Assert.Equal(Device.Cuda(0), Device.Parse("cuda"));
        Assert.Equal(Device.Cuda(1), Device.Parse("cuda:1"));
        Assert.Equal("cuda:1", Device.Cuda(1).ToString());
        Assert.Equal("cpu", Device.Cpu.ToString());
        Device implicitDevice = "cuda:2";
        Assert.True(implicitDevice.IsCuda);
    }

    [Fact]
    public void RuntimeInformationIsAvailable()
    {
        Assert.Matches(@"^\d+\.\d+", LibTorch.Version);
        Assert.False(string.IsNullOrWhiteSpace(LibTorch.BuildConfig));
        Assert.True(LibTorch.Threads >= 1);
        Assert.EndsWith(".so", LibTorch.NativeLibraryPath);
        Assert.Equal(LibTorch.Cuda.DeviceCount > 0, LibTorch.Cuda.IsAvailable);
    }
}
