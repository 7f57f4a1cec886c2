namespace Workbench.Tests;

public class ShapeTests
{
    /// <summary>0, 1, 2, ... as float32 in <paramref name="shape"/>: each element's value is its row-major offset.</summary>
    private static Tensor Iota(Device d, params long[] shape) =>
        Tensor.Arange(Data.Count(shape), DType.Float32, d).Reshape(shape);

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ReshapeAndViewKeepRowMajorOrderAndInferMinusOne(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Iota(d, 2, 6);
        var r = x.Reshape(3, -1);
        Expect.Close([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [3, 4], r, 0, 0);
        Expect.Shape([4, 3], x.View(4, 3));
        Expect.Shape([12], x.View(-1));

        x.View(12).Select(0, 5).Fill_(-1); // a view shares storage
        Assert.Equal(-1, x[0, 5].Item<float>());
    }

    [Fact]
    public void ViewOfATransposeFailsWhereReshapeCopies()
    {
        using var scope = DisposeScope.Enter();
        var t = Iota(Device.Cpu, 2, 3).T;
        var e = Assert.Throws<TorchException>(() => t.View(6));
        Assert.Contains("view", e.Message, StringComparison.OrdinalIgnoreCase);
        Expect.Close([0, 3, 1, 4, 2, 5], [6], t.Reshape(6), 0, 0);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void PermuteAndTransposeMoveDimensions(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Iota(d, 2, 3, 4);
        var p = x.Permute(2, 0, 1); // p[k, i, j] = x[i, j, k] = 12 i + 4 j + k
        var expected = new double[24];
        for (int k = 0; k < 4; k++) for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) expected[(k * 2 + i) * 3 + j] = 12 * i + 4 * j + k;
        Expect.Close(expected, [4, 2, 3], p, 0, 0);

        var t = x.Transpose(0, 2); // t[k, j, i]
        Assert.Equal(12 * 1 + 4 * 2 + 3, t[3, 2, 1].Item<float>());
        Expect.Close([0, 3, 1, 4, 2, 5], [3, 2], Iota(d, 2, 3).T, 0, 0);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ExpandBroadcastsWithoutCopyingAndRepeatTiles(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var col = Iota(d, 3, 1);
        var e = col.Expand(3, 4);
        Expect.Close([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2], [3, 4], e, 0, 0);
        Assert.Equal(0, e.Strides()[1]);
        Expect.Shape([3, 2], col.Expand(-1, 2));

        var row = Iota(d, 2);
        Expect.Close([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], [2, 6], row.Repeat(2, 3), 0, 0);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void SqueezeUnsqueezeAndFlatten(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Tensor.Zeros([1, 3, 1, 2], device: d);
        Expect.Shape([3, 2], x.Squeeze());
        Expect.Shape([3, 1, 2], x.Squeeze(0));
        Expect.Shape([1, 3, 1, 2], x.Squeeze(1)); // size 3: unchanged
        Expect.Shape([1, 3, 1, 2, 1], x.Unsqueeze(-1));
        Expect.Shape([1, 1, 3, 1, 2], x.Unsqueeze(1));
        Expect.Shape([6], x.Flatten());
        Expect.Shape([1, 3, 2], x.Flatten(1, 2));
        Expect.Shape([1, 6], x.Flatten(1));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void NarrowSliceAndSelectPickSubTensors(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Iota(d, 3, 5);
        Expect.Close([6, 7, 8, 11, 12, 13], [2, 3], x.Narrow(0, 1, 2).Narrow(1, 1, 3), 0, 0);
        Expect.Close([0, 2, 4, 10, 12, 14], [2, 3], x.Slice(0, 0, 3, 2).Slice(1, 0, 5, 2), 0, 0);
        Expect.Close([5, 6, 7, 8, 9], [5], x.Select(0, 1), 0, 0);
        Expect.Close([4, 9, 14], [3], x.Select(1, -1), 0, 0);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void FlipRollTrilAndTriu(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Iota(d, 2, 3);
        Expect.Close([2, 1, 0, 5, 4, 3], [2, 3], x.Flip(1), 0, 0);
        Expect.Close([5, 4, 3, 2, 1, 0], [2, 3], x.Flip(0, 1), 0, 0);
        Expect.Close([2, 0, 1, 5, 3, 4], [2, 3], x.Roll(1, 1), 0, 0);
        Expect.Close([4, 5, 3, 1, 2, 0], [2, 3], x.Roll([1, -1], [0, 1]), 0, 0);

        var m = Iota(d, 3, 3) + 1;
        Expect.Close([1, 0, 0, 4, 5, 0, 7, 8, 9], [3, 3], m.Tril(), 0, 0);
        Expect.Close([0, 2, 3, 0, 0, 6, 0, 0, 0], [3, 3], m.Triu(1), 0, 0);
        Expect.Close([1, 2, 0, 4, 5, 6, 7, 8, 9], [3, 3], m.Tril(1), 0, 0);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void CatAndStackJoinAlongADim(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var a = Iota(d, 2, 2);
        var b = Iota(d, 2, 1) + 10;
        Expect.Close([0, 1, 10, 2, 3, 11], [2, 3], Tensor.Cat([a, b], 1), 0, 0);
        Expect.Close([0, 1, 2, 3, 0, 1, 2, 3], [4, 2], Tensor.Cat([a, a], 0), 0, 0);
        Expect.Close([0, 1, 0, 1, 2, 3, 2, 3], [2, 2, 2], Tensor.Stack([a, a], 1), 0, 0);
        Expect.Shape([2, 2, 3], Tensor.Stack([a, a, a], -1));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ChunkAndSplitCutIntoViews(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Iota(d, 7);
        var chunks = x.Chunk(3);
        Assert.Equal(3, chunks.Length);
        Expect.Close([0, 1, 2], chunks[0]);
        Expect.Close([3, 4, 5], chunks[1]);
        Expect.Close([6], chunks[2]);

        var parts = x.Split([2, 5]);
        Expect.Close([0, 1], parts[0]);
        Expect.Close([2, 3, 4, 5, 6], parts[1]);

        var even = x.Split(3);
        Assert.Equal([3L, 3L, 1L], even.Select(p => p.Size(0)).ToArray());

        var m = Iota(d, 2, 4).Chunk(2, dim: 1);
        Expect.Close([0, 1, 4, 5], [2, 2], m[0], 0, 0);
        Expect.Close([2, 3, 6, 7], [2, 2], m[1], 0, 0);
        Assert.Equal(2, Iota(d, 2).Chunk(5).Length); // fewer chunks when the dim is short
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void GatherIndexSelectScatterAddAndMaskedSelect(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Iota(d, 3, 4);
        var rows = Tensor.From(new long[] { 2, 0, 2 }, device: d);
        Expect.Close([8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11], [3, 4], x.IndexSelect(0, rows), 0, 0);

        // gather along dim 1: out[i, j] = x[i, idx[i, j]]
        var idx = Tensor.From(new long[] { 3, 0, 1, 1, 2, 0 }, [3, 2], d);
        Expect.Close([3, 0, 5, 5, 10, 8], [3, 2], x.Gather(1, idx), 0, 0);

        // scatter add along dim 0: out[idx[i, j], j] += src[i, j]
        var target = Tensor.Zeros([2, 3], device: d);
        var to = Tensor.From(new long[] { 0, 1, 0, 0, 0, 1 }, [2, 3], d);
        var src = Tensor.From(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3], d);
        Expect.Close([5, 5, 3, 0, 2, 6], [2, 3], target.ScatterAdd(0, to, src), 0, 0);

        Expect.Close([5, 7, 9, 11], [4], x.MaskedSelect((x % 2).Eq(1) & (x > 4)), 0, 0);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void PadModesFillTheBorderAsDefined(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Iota(d, 1, 1, 4) + 1; // [1 2 3 4], (N, C, W) for the non-constant modes
        Expect.Close([9, 1, 2, 3, 4, 9, 9], [1, 1, 7], x.Pad([1, 2], PadMode.Constant, 9), 0, 0);
        Expect.Close([3, 2, 1, 2, 3, 4, 3], [1, 1, 7], x.Pad([2, 1], PadMode.Reflect), 0, 0);
        Expect.Close([1, 1, 2, 3, 4, 4, 4], [1, 1, 7], x.Pad([1, 2], PadMode.Replicate), 0, 0);
        Expect.Close([4, 1, 2, 3, 4, 1, 2], [1, 1, 7], x.Pad([1, 2], PadMode.Circular), 0, 0);

        var m = Iota(d, 2, 2) + 1; // pads the last dim first, then the one before
        Expect.Close([0, 0, 0, 0, 1, 2, 0, 3, 4, 0, 0, 0], [4, 3], m.Pad([1, 0, 1, 1]), 0, 0);
    }

    [Fact]
    public void AliasSharesStorageAndSurvivesTheOriginalsDisposal()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new float[] { 1, 2 });
        var alias = x.Alias();
        alias.Fill_(3);
        Assert.Equal([3f, 3f], x.ToArray<float>());
        x.Dispose();
        Assert.Equal([3f, 3f], alias.ToArray<float>());
    }
}
