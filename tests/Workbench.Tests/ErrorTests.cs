namespace Workbench.Tests;

/// <summary>Bad input raises an exception of the documented type whose message names what was wrong; nothing crashes.</summary>
public class ErrorTests
{
    // ---- libtorch errors reach C# as TorchException ----

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AddingMismatchedShapesNamesBothSizes(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var a = Tensor.Zeros([2, 3], device: d);
        var b = Tensor.Zeros([4, 5], device: d);
        var e = Assert.Throws<TorchException>(() => a + b);
        Assert.Equal("Add", e.Operation);
        Assert.Contains("size of tensor a (3) must match the size of tensor b (5)", e.Message);
        Assert.StartsWith("Add: ", e.Message);
        Assert.Equal(e.Message, $"Add: {e.NativeMessage}");
        // the process goes on, and the operands are intact
        Expect.Close(new double[6], a + 0);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void MultiplyingMismatchedMatricesNamesTheirShapes(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var e = Assert.Throws<TorchException>(() => Tensor.Zeros([2, 3], device: d).MatMul(Tensor.Zeros([4, 5], device: d)));
        Assert.Contains("2x3", e.Message);
        Assert.Contains("4x5", e.Message);
        var bmm = Assert.Throws<TorchException>(() => Tensor.Zeros([2, 3, 4], device: d).Bmm(Tensor.Zeros([3, 4, 5], device: d)));
        Assert.Equal("Bmm", bmm.Operation);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ABadDimIsReportedWithTheValidRange(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Tensor.Zeros([2, 3], device: d);
        var sum = Assert.Throws<TorchException>(() => x.Sum(5));
        Assert.Contains("[-2, 1]", sum.Message);
        Assert.Contains("5", sum.NativeMessage);
        Assert.Contains("Dimension out of range", Assert.Throws<TorchException>(() => x.Transpose(0, 3)).Message);
        Assert.Contains("Dimension out of range", Assert.Throws<TorchException>(() => F.Softmax(x, 2)).Message);
        Assert.Contains("Dimension out of range", Assert.Throws<TorchException>(() => x.Unsqueeze(4)).Message);

        var size = Assert.Throws<ArgumentOutOfRangeException>(() => x.Size(2));
        Assert.Contains("dimension 2 is out of range for a tensor of rank 2 (shape [2, 3])", size.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Size(-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.FromScalar(1.0, device: d).Size(0));
    }

    [Fact]
    public void ReshapeToTheWrongElementCountNamesBoth()
    {
        using var scope = DisposeScope.Enter();
        var e = Assert.Throws<TorchException>(() => Tensor.Zeros([2, 3]).Reshape(4));
        Assert.Contains("[4]", e.Message);
        Assert.Contains("6", e.Message);
    }

    [Fact]
    public void JoiningAndSplittingWithBadSizesFail()
    {
        using var scope = DisposeScope.Enter();
        var cat = Assert.Throws<TorchException>(() => Tensor.Cat([Tensor.Zeros([2, 3]), Tensor.Zeros([2, 4])], 0));
        Assert.Contains("Expected size 3", cat.Message);
        Assert.Throws<TorchException>(() => Tensor.Stack([Tensor.Zeros([2]), Tensor.Zeros([3])]));
        var split = Assert.Throws<TorchException>(() => Tensor.Zeros([7]).Split([2, 4]));
        Assert.Contains("7", split.Message);
        Assert.Contains("cat needs at least one tensor", Assert.Throws<ArgumentException>(() => Tensor.Cat([])).Message);
        Assert.Contains("stack needs at least one tensor", Assert.Throws<ArgumentException>(() => Tensor.Stack([])).Message);
        Assert.Contains("got 0", Assert.Throws<ArgumentException>(() => Tensor.Zeros([4]).Chunk(0)).Message);
        Assert.Contains("got -2", Assert.Throws<ArgumentException>(() => Tensor.Zeros([4]).Split(-2)).Message);
    }

    [Fact]
    public void ShapeArgumentsOfTheWrongLengthNameTheShape()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.Zeros([2, 3, 4]);
        var permute = Assert.Throws<ArgumentException>(() => x.Permute(1, 0));
        Assert.Contains("permute needs 3 dims for shape [2, 3, 4], got [1, 0]", permute.Message);
        var pad = Assert.Throws<ArgumentException>(() => x.Pad([1, 2, 3]));
        Assert.Contains("[1, 2, 3]", pad.Message);
        Assert.Contains("2 shifts for 1 dims", Assert.Throws<ArgumentException>(() => x.Roll([1, 2], [0])).Message);
        Assert.Contains("[2, 3, 4]", Assert.Throws<InvalidOperationException>(() => x.T).Message);
        Assert.Contains("step must be positive", Assert.Throws<ArgumentException>(() => x.Slice(0, 0, 2, 0)).Message);
    }

    [Fact]
    public void IndexOutOfRangeInANativeOpIsAnExceptionNotACrash()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.Zeros([3, 2]);
        var e = Assert.Throws<TorchException>(() => x.IndexSelect(0, Tensor.From(new long[] { 5 })));
        Assert.Contains("out of range", e.Message);
        Assert.Throws<TorchException>(() => x.Gather(1, Tensor.From(new long[] { 0, 9, 0, 0, 0, 0 }, [3, 2])));
        Assert.Throws<TorchException>(() => F.Embedding(Tensor.From(new long[] { 3 }), x));
        Assert.Throws<TorchException>(() => x.Narrow(0, 2, 5));
        Assert.Equal(6, x.NumEl); // and the process goes on
    }

    // ---- data in and out ----

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ReadingWithTheWrongElementTypeNamesBothDtypes(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Tensor.Zeros([2], device: d);
        var e = Assert.Throws<InvalidOperationException>(() => x.ToArray<double>());
        Assert.Contains("this tensor is float32, not float64", e.Message);
        Assert.Contains("To(DType.Float64)", e.Message);
        Assert.Contains("int64", Assert.Throws<InvalidOperationException>(() => Tensor.Zeros([1], DType.Int64, d).ToArray<int>()).Message);
    }

    [Fact]
    public void DataThatDoesNotFillTheShapeIsRejected()
    {
        using var scope = DisposeScope.Enter();
        var e = Assert.Throws<ArgumentException>(() => Tensor.From(new float[5], [2, 3]));
        Assert.Contains("5 values cannot fill shape [2, 3] (6 elements)", e.Message);
        var copy = Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 2]).CopyTo(new float[3]));
        Assert.Contains("destination holds 3 elements, the tensor 4", copy.Message);
        var item = Assert.Throws<InvalidOperationException>(() => Tensor.Zeros([2, 2]).Item<float>());
        Assert.Contains("[2, 2]", item.Message);
    }

    [Fact]
    public void BadCreationArgumentsNameTheArgument()
    {
        using var scope = DisposeScope.Enter();
        var negative = Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, -1]));
        Assert.Contains("[2, -1] has a negative size", negative.Message);
        Assert.Equal("shape", negative.ParamName);
        Assert.Throws<ArgumentException>(() => Tensor.Randn([-3]));
        Assert.Contains("step must be non-zero", Assert.Throws<ArgumentException>(() => Tensor.Arange(0, 5, 0)).Message);
        Assert.Contains("high (2) must be greater than low (5)", Assert.Throws<ArgumentException>(() => Tensor.Randint(5, 2, [3])).Message);
        Assert.Contains("got -1", Assert.Throws<ArgumentException>(() => Tensor.Linspace(0, 1, -1)).Message);
        Assert.Contains("unknown dtype 'float33'", Assert.Throws<ArgumentException>(() => DTypeExtensions.Parse("float33")).Message);
        Assert.Contains("unknown device 'gpu'", Assert.Throws<ArgumentException>(() => Device.Parse("gpu")).Message);
        Assert.Contains("must be >= 1, got 0", Assert.Throws<ArgumentOutOfRangeException>(() => LibTorch.Threads = 0).Message);
    }

    // ---- lifetime ----

    [Fact]
    public void UsingADisposedTensorThrowsObjectDisposed()
    {
        var x = Tensor.Ones([2]);
        x.Dispose();
        Assert.True(x.IsDisposed);
        x.Dispose(); // twice is fine
        var e = Assert.Throws<ObjectDisposedException>(() => x.ToArray<float>());
        Assert.Contains("disposed", e.Message);
        Assert.Throws<ObjectDisposedException>(() => x + 1);
        Assert.Throws<ObjectDisposedException>(() => x.Sum());
        using var scope = DisposeScope.Enter();
        var other = Tensor.Ones([2]);
        Assert.Throws<ObjectDisposedException>(() => other + x);
        Assert.Throws<ObjectDisposedException>(() => Tensor.Cat([other, x]));
        Assert.Throws<ObjectDisposedException>(() => F.Linear(other, x));
        Assert.Equal("Tensor(disposed)", x.ToString());
    }

    [Fact]
    public void UsingATensorAfterItsScopeEndedThrowsObjectDisposed()
    {
        Tensor kept;
        using (DisposeScope.Enter())
            kept = Tensor.Ones([3]) * 2;
        Assert.True(kept.IsDisposed);
        var e = Assert.Throws<ObjectDisposedException>(() => kept.ToArray<float>());
        Assert.Contains("dispose scope ended", e.Message);
        Assert.Contains("MoveToOuterScope", e.Message);
    }

    // ---- functional ops ----

    [Fact]
    public void ConvolutionWithTheWrongInputNamesTheShapes()
    {
        using var scope = DisposeScope.Enter();
        var w = Tensor.Zeros([4, 3, 3, 3, 3]);
        var channels = Assert.Throws<TorchException>(() => F.Conv3d(Tensor.Zeros([1, 2, 4, 4, 4]), w));
        Assert.Equal("Conv3d", channels.Operation);
        Assert.Contains("[1, 2, 4, 4, 4]", channels.Message);
        Assert.Contains("3 channels", channels.Message);
        // a 4-D input is read as one unbatched (C, T, H, W) sample of 1 channel
        var rank = Assert.Throws<TorchException>(() => F.Conv3d(Tensor.Zeros([1, 3, 4, 4]), w));
        Assert.Contains("got 1 channels", rank.Message);
        var small = Assert.Throws<TorchException>(() => F.Conv3d(Tensor.Zeros([1, 3, 2, 4, 4]), w));
        Assert.Contains("Kernel size can't be greater than actual input size", small.Message);
        Assert.Throws<TorchException>(() => F.Conv2d(Tensor.Zeros([1, 4, 5, 5]), Tensor.Zeros([2, 4, 3, 3]), groups: 3));
    }

    [Fact]
    public void NormalisationWithBadShapesOrGroupsIsRejected()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.Zeros([2, 5, 4]);
        var groups = Assert.Throws<ArgumentException>(() => F.GroupNorm(x, 2));
        Assert.Contains("5 channels of shape [2, 5, 4] do not split into 2 groups", groups.Message);
        Assert.Equal("groups", groups.ParamName);
        Assert.Contains("0 groups", Assert.Throws<ArgumentException>(() => F.GroupNorm(x, 0)).Message);
        Assert.Throws<ArgumentException>(() => F.GroupNorm(Tensor.Zeros([5]), 1));
        Assert.Throws<TorchException>(() => F.GroupNorm(x, 5, weight: Tensor.Ones([4])));

        var layer = Assert.Throws<TorchException>(() => F.LayerNorm(x, [5]));
        Assert.Contains("normalized_shape=[5]", layer.Message);
        Assert.Contains("[2, 5, 4]", layer.Message);
    }

    [Fact]
    public void BadResizePoolAndDropoutArgumentsAreRejected()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.Zeros([1, 1, 4, 4, 4]);
        var interp = Assert.Throws<ArgumentException>(() => F.Interpolate(x, [8, 8]));
        Assert.Contains("input of shape [1, 1, 4, 4, 4] has 3 spatial dims, size has 2", interp.Message);
        Assert.Throws<TorchException>(() => F.Interpolate(Tensor.Zeros([1, 1, 2, 2, 2, 2]), [3, 3, 3, 3], InterpolateMode.Linear));
        Assert.Throws<TorchException>(() => F.AvgPool3d(Tensor.Zeros([1, 4, 4]), (2, 2, 2)));
        var dropout = Assert.Throws<ArgumentOutOfRangeException>(() => F.Dropout(x, 1.5));
        Assert.Contains("must be in [0, 1], got 1.5", dropout.Message);
        Assert.Equal("p", dropout.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => F.Dropout(x, -0.1));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AttentionWithMismatchedShapesNamesThem(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var q = Tensor.Zeros([1, 4, 8], device: d);
        var features = Assert.Throws<TorchException>(() => F.ScaledDotProductAttention(q, Tensor.Zeros([1, 4, 6], device: d), Tensor.Zeros([1, 4, 8], device: d)));
        Assert.Contains("q and k feature sizes differ", features.Message);
        Assert.Contains("[1, 4, 8] vs [1, 4, 6]", features.Message);
        var lengths = Assert.Throws<TorchException>(() => F.ScaledDotProductAttention(q, Tensor.Zeros([1, 5, 8], device: d), Tensor.Zeros([1, 4, 8], device: d)));
        Assert.Contains("k and v lengths differ", lengths.Message);
        var rank = Assert.Throws<TorchException>(() => F.ScaledDotProductAttentionWithWeights(q, Tensor.Zeros([4, 8], device: d), Tensor.Zeros([4, 8], device: d)));
        Assert.Contains("same rank", rank.Message);
    }

    [Fact]
    public void LossesWithMismatchedShapesOrBadTargetsAreRejected()
    {
        using var scope = DisposeScope.Enter();
        var mse = Assert.Throws<ArgumentException>(() => F.MseLoss(Tensor.Zeros([4, 1]), Tensor.Zeros([4])));
        Assert.Contains("mse loss: input shape [4, 1] differs from target shape [4]", mse.Message);
        Assert.Contains("[3]", Assert.Throws<ArgumentException>(() => F.L1Loss(Tensor.Zeros([2]), Tensor.Zeros([3]))).Message);

        var logits = Tensor.Zeros([2, 3]);
        var target = Assert.Throws<TorchException>(() => F.CrossEntropy(logits, Tensor.From(new long[] { 1, 7 })));
        Assert.Contains("7", target.Message);
        Assert.Throws<TorchException>(() => F.CrossEntropy(logits, Tensor.From(new float[] { 1, 0 }, [2])));
        Assert.Throws<TorchException>(() => F.Linear(logits, Tensor.Zeros([4, 5])));
    }

    // ---- autograd ----

    [Fact]
    public void AutogradMisuseIsReported()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new double[] { 1, 2 }, requiresGrad: true);
        var nonScalar = Assert.Throws<InvalidOperationException>(() => (x * 2).Backward());
        Assert.Contains("one-element tensor, this one has shape [2]", nonScalar.Message);

        var y = (x * x).Sum();
        y.Backward();
        var twice = Assert.Throws<TorchException>(() => y.Backward());
        Assert.Contains("second time", twice.Message);

        var ints = Assert.Throws<TorchException>(() => Tensor.From(new long[] { 1 }).RequiresGrad = true);
        Assert.Contains("floating point", ints.Message);

        var noGraph = Assert.Throws<TorchException>(() => Tensor.Ones([1]).Sum().Backward());
        Assert.Contains("does not require grad", noGraph.Message);

        var inPlaceLeaf = Assert.Throws<TorchException>(() => x.Add_(1));
        Assert.Contains("leaf Variable that requires grad", inPlaceLeaf.Message);
    }

    // ---- devices ----

    [Fact]
    public void MixingDevicesNamesBoth()
    {
        Assert.SkipUnless(TestDevices.HasCuda, "no CUDA device on this machine");
        using var scope = DisposeScope.Enter();
        var e = Assert.Throws<TorchException>(() => Tensor.Zeros([2]) + Tensor.Zeros([2], device: Device.Cuda()));
        Assert.Contains("same device", e.Message);
        Assert.Contains("cpu", e.Message);
        Assert.Contains("cuda:0", e.Message);
    }

    [Fact]
    public void AskingForCudaWithoutOneIsAnExceptionNotACrash()
    {
        Assert.SkipWhen(TestDevices.HasCuda, "this machine has CUDA");
        using var scope = DisposeScope.Enter();
        var e = Assert.Throws<TorchException>(() => Tensor.Zeros([2], device: Device.Cuda()));
        Assert.Contains("CUDA", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<TorchException>(() => Tensor.Zeros([2]).Cuda());
        Assert.Throws<TorchException>(() => new Generator(1, Device.Cuda()));
        Assert.Throws<TorchException>(() => LibTorch.Cuda.DeviceInfo());
    }
}
