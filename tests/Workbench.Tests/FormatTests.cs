namespace Workbench.Tests;

/// <summary>ToString: a header with shape, dtype and device, then the values as PyTorch would print them.</summary>
public class FormatTests
{
    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void TheHeaderNamesShapeDtypeAndDevice(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var t = Tensor.From(new long[] { 0, 1, 2, 3, 4 }, device: d);
        Assert.Equal($"Tensor(shape=[5], dtype=int64, device={d})\n[0, 1, 2, 3, 4]", t.ToString());
    }

    [Fact]
    public void WholeFloatsPrintWithATrailingPoint()
    {
        using var scope = DisposeScope.Enter();
        Assert.Equal("Tensor(shape=[3], dtype=float32, device=cpu)\n[1., -2., 3.]", Tensor.From(new float[] { 1, -2, 3 }).ToString());
    }

    [Fact]
    public void FractionalFloatsPrintWithFourDecimalsAndRowsOnTheirOwnLines()
    {
        using var scope = DisposeScope.Enter();
        var t = Tensor.From(new double[,] { { 0.5, -1.25 }, { 2, 3.14159 } });
        Assert.Equal("Tensor(shape=[2, 2], dtype=float64, device=cpu)\n[[0.5000, -1.2500],\n [2.0000, 3.1416]]", t.ToString());
    }

    [Fact]
    public void VerySmallOrLargeValuesSwitchToScientificNotation()
    {
        using var scope = DisposeScope.Enter();
        Assert.EndsWith("\n[1.0000e-05, 2.0000e+00]", Tensor.From(new double[] { 1e-5, 2 }).ToString());
        Assert.EndsWith("\n[1.0000e+09, 2.0000e+00]", Tensor.From(new double[] { 1e9, 2 }).ToString());
    }

    [Fact]
    public void BoolsScalarsEmptiesAndGradFlagsPrintReadably()
    {
        using var scope = DisposeScope.Enter();
        Assert.Equal("Tensor(shape=[2], dtype=bool, device=cpu)\n[true, false]", Tensor.From(new[] { true, false }).ToString());
        Assert.Equal("Tensor(shape=[], dtype=float32, device=cpu)\n2.5000", Tensor.FromScalar(2.5).ToString());
        Assert.Equal("Tensor(shape=[2, 0, 3], dtype=float32, device=cpu) []", Tensor.Zeros([2, 0, 3]).ToString());
        Assert.Equal("Tensor(shape=[2], dtype=float32, device=cpu, requires_grad)\n[1., 1.]", Tensor.Ones([2], requiresGrad: true).ToString());
    }

    [Fact]
    public void NestedDimsIndentByDepth()
    {
        using var scope = DisposeScope.Enter();
        var t = Tensor.Arange(8).Reshape(2, 2, 2);
        Assert.EndsWith("\n[[[0, 1],\n  [2, 3]],\n [[4, 5],\n  [6, 7]]]", t.ToString());
    }

    [Fact]
    public void LongTensorsShowTheirFirstAndLastThreeEntries()
    {
        using var scope = DisposeScope.Enter();
        var t = Tensor.Arange(2000);
        Assert.Equal("Tensor(shape=[2000], dtype=int64, device=cpu)\n[0, 1, 2, ..., 1997, 1998, 1999]", t.ToString());
        var small = Tensor.Arange(1000); // at the threshold: every entry
        Assert.EndsWith("998, 999]", small.ToString());
        Assert.DoesNotContain("...", small.ToString());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void LargeMatricesElideRowsAndColumns(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var t = Tensor.Arange(10000, device: d).Reshape(100, 100);
        var expected = $"Tensor(shape=[100, 100], dtype=int64, device={d})\n" +
            "[[0, 1, 2, ..., 97, 98, 99],\n" +
            " [100, 101, 102, ..., 197, 198, 199],\n" +
            " [200, 201, 202, ..., 297, 298, 299],\n" +
            " ...,\n" +
            " [9700, 9701, 9702, ..., 9797, 9798, 9799],\n" +
            " [9800, 9801, 9802, ..., 9897, 9898, 9899],\n" +
            " [9900, 9901, 9902, ..., 9997, 9998, 9999]]";
        Assert.Equal(expected, t.ToString());
    }

    [Fact]
    public void OnlyLongDimsAreElided()
    {
        using var scope = DisposeScope.Enter();
        var t = Tensor.Arange(3000).Reshape(2, 1500);
        Assert.EndsWith("\n[[0, 1, 2, ..., 1497, 1498, 1499],\n [1500, 1501, 1502, ..., 2997, 2998, 2999]]", t.ToString());
    }

    [Fact]
    public void FormattingLeavesNoTensorsBehindAndWorksOnDisposedTensors()
    {
        using var scope = DisposeScope.Enter();
        var t = Tensor.Arange(5000.0);
        int before = scope.Count;
        _ = t.ToString();
        Assert.Equal(before, scope.Count);
        t.Dispose();
        Assert.Equal("Tensor(disposed)", t.ToString());
    }

    [Fact]
    public void ShapesFormatAsPyTorchPrintsThem()
    {
        Assert.Equal("[2, 3, 16]", Tensor.FormatShape([2, 3, 16]));
        Assert.Equal("[]", Tensor.FormatShape([]));
    }

    [Fact]
    public void NonFiniteValuesPrintAsPyTorchDoes()
    {
        using var scope = DisposeScope.Enter();
        var text = Tensor.From(new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0.5f }).ToString();
        Assert.EndsWith("[nan, inf, -inf, 0.5000]", text);
    }
}
