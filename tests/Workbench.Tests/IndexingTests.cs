namespace Workbench.Tests;

public class IndexingTests
{
    /// <summary>(2, 3, 4) with x[i, j, k] = 100 i + 10 j + k, so every value names its position.</summary>
    private static Tensor Grid(Device d)
    {
        var v = new float[24];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) v[(i * 3 + j) * 4 + k] = 100 * i + 10 * j + k;
        return Tensor.From(v, [2, 3, 4], d);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void IntegerIndicesSelectAndDropDims(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Grid(d);
        Expect.Shape([3, 4], x[1]);
        Assert.Equal(123, x[1, 2, 3].Item<float>());
        Assert.Equal(0, x[1, 2, 3].Rank);
        Assert.Equal(123, x[-1, -1, -1].Item<float>());
        Expect.Close([10, 11, 12, 13], [4], x[0, 1], 0, 0);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void RangesSliceLikePython(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Grid(d);
        Expect.Close([11, 12, 21, 22], [2, 2], x[0, 1..3, 1..3], 0, 0);
        Expect.Close([102, 103, 112, 113, 122, 123], [3, 2], x[1, .., 2..], 0, 0);
        Expect.Close([120, 121, 122], [3], x[1, -1, ..^1], 0, 0);
        Expect.Shape([2, 3, 0], x[.., .., 3..1]); // an empty slice, as in Python
        Expect.Shape([2, 3, 4], x[.., .., 0..100]); // ends are clamped, as in Python
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void SlicesWithStepsEllipsisAndNewAxis(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Grid(d);
        Expect.Close([0, 2, 10, 12, 20, 22], [3, 2], x[0, TensorIndex.All, TensorIndex.Slice(0, null, 2)], 0, 0);
        Expect.Close([1, 3], [2], x[0, 0, TensorIndex.Slice(1, null, 2)], 0, 0);
        Expect.Close([3, 13, 23, 103, 113, 123], [2, 3], x[TensorIndex.Ellipsis, 3], 0, 0);
        Expect.Close([100, 101, 102, 103], [4], x[1, TensorIndex.Ellipsis, 0, TensorIndex.All], 0, 0);
        Expect.Shape([1, 2, 3, 4], x[TensorIndex.NewAxis]);
        Expect.Shape([2, 1, 3, 4], x[.., TensorIndex.NewAxis]);
        Expect.Shape([2, 3, 4, 1], x[TensorIndex.Ellipsis, TensorIndex.NewAxis]);
        Expect.Shape([3, 1, 4], x[0, .., TensorIndex.NewAxis, ..]);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void IndexTensorsPickRowsAndBoolMasksPickElements(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Grid(d);
        var rows = Tensor.From(new long[] { 2, 0 }, device: d);
        Expect.Close([20, 21, 22, 23, 0, 1, 2, 3], [2, 4], x[0, rows], 0, 0);
        Expect.Close([3, 1], [2], x[0, 0, Tensor.From(new long[] { 3, 1 }, device: d)], 0, 0);

        var small = Tensor.From(new float[] { 5, -1, 7, -3 }, [2, 2], d);
        Expect.Close([5, 7], [2], small[small > 0], 0, 0);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void IndexingGivesViewsThatShareStorage(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Grid(d);
        x[1, 2].Fill_(-1);
        Expect.Close([-1, -1, -1, -1], x[1, 2], 0, 0);
        x[0, .., 0].Mul_(0);
        Expect.Close([0, 0, 0], x.Select(0, 0).Select(1, 0), 0, 0);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AssigningThroughAnIndexCopiesIntoTheView(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Tensor.Zeros([3, 4], device: d);
        x[1] = Tensor.From(new float[] { 1, 2, 3, 4 }, device: d);
        x[.., 3] = Tensor.FromScalar(9.0, device: d); // broadcast
        x[2, 0..2] = Tensor.From(new double[] { -1, -2 }, device: d); // converted
        Expect.Close([0, 0, 0, 9, 1, 2, 3, 9, -1, -2, 0, 9], [3, 4], x, 0, 0);
    }

    [Fact]
    public void IndexTensorsCannotBeAssignedThrough()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.Zeros([3]);
        var mask = Tensor.From(new[] { true, false, true });
        var e = Assert.Throws<NotSupportedException>(() => x[mask] = Tensor.FromScalar(1.0));
        Assert.Contains("index tensor", e.Message);
        Assert.Throws<NotSupportedException>(() => x[Tensor.From(new long[] { 0 })] = Tensor.FromScalar(1.0));
        Assert.Equal([0f, 0, 0], x.ToArray<float>());
        Assert.Equal([1f, 0, 1], x.MaskedFill(mask, 1).ToArray<float>()); // the way to write through a mask
    }

    [Fact]
    public void BadIndicesNameTheProblem()
    {
        using var scope = DisposeScope.Enter();
        var x = Grid(Device.Cpu);
        var outOfRange = Assert.Throws<IndexOutOfRangeException>(() => x[0, 3]);
        Assert.Contains("index 3 is out of range for dim 0 of size 3", outOfRange.Message);
        Assert.Throws<IndexOutOfRangeException>(() => x[-3]);

        var tooMany = Assert.Throws<ArgumentException>(() => x[0, 0, 0, 0]);
        Assert.Contains("4 indices for a tensor of rank 3", tooMany.Message);
        Assert.Contains("[2, 3, 4]", tooMany.Message);

        var twoEllipses = Assert.Throws<ArgumentException>(() => x[TensorIndex.Ellipsis, 0, TensorIndex.Ellipsis]);
        Assert.Contains("Ellipsis", twoEllipses.Message);

        var floatIndex = Assert.Throws<ArgumentException>(() => x[0, Tensor.From(new float[] { 1 })]);
        Assert.Contains("float32", floatIndex.Message);

        var step = Assert.Throws<ArgumentException>(() => x[TensorIndex.Slice(null, null, 0)]);
        Assert.Contains("step must be positive", step.Message);
    }

    [Fact]
    public void IndexingLeavesNoIntermediateTensorsBehind()
    {
        using var scope = DisposeScope.Enter();
        var x = Grid(Device.Cpu);
        int before = scope.Count;
        var y = x[1, TensorIndex.NewAxis, 1..3, TensorIndex.Ellipsis];
        Assert.Equal(before + 1, scope.Count); // only the result
        Expect.Shape([1, 2, 4], y);
    }

    [Fact]
    public void IndicesFromTheEndPickTheLastEntries()
    {
        using var scope = DisposeScope.Enter();
        var t = Tensor.Arange(12).Reshape(3, 4);
        Assert.Equal(new long[] { 8, 9, 10, 11 }, t[^1].ToArray<long>());
        Assert.Equal(10L, t[^1, ^2].Item<long>());
        Assert.Equal(new long[] { 3, 7, 11 }, t[.., ^1].ToArray<long>());
    }
}
