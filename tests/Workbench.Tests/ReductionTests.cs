namespace Workbench.Tests;

public class ReductionTests
{
    // x[i, j, k] = a distinct value per element, shape (2, 3, 4)
    private static readonly double[] X = Data.UniformF(24, 7, -3, 3);
    private static double At(int i, int j, int k) => X[(i * 3 + j) * 4 + k];

    private static Tensor Input(Device d, DType dtype = DType.Float32) => Data.F32(X, [2, 3, 4], d).To(dtype);

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void SumOverAllDimsOneDimAndSeveralDims(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Input(d);

        Expect.Close([X.Sum()], [], x.Sum(), 1e-5, 1e-5);

        var over1 = new double[8];
        for (int i = 0; i < 2; i++) for (int k = 0; k < 4; k++) for (int j = 0; j < 3; j++) over1[i * 4 + k] += At(i, j, k);
        Expect.Close(over1, [2, 4], x.Sum(1), 1e-5, 1e-5);
        Expect.Close(over1, [2, 1, 4], x.Sum(1, keepDim: true), 1e-5, 1e-5);

        var over02 = new double[3];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) over02[j] += At(i, j, k);
        Expect.Close(over02, [3], x.Sum([0, 2]), 1e-5, 1e-5);
        Expect.Close(over02, [3], x.Sum([-1, -3]), 1e-5, 1e-5);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void MeanMaxMinAndLogSumExpAlongTheLastDim(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Input(d);
        var rows = Enumerable.Range(0, 6).Select(r => X.Skip(r * 4).Take(4).ToArray()).ToArray();

        Expect.Close(rows.Select(r => r.Average()).ToArray(), [2, 3], x.Mean(-1));
        Expect.Close(rows.Select(r => r.Max()).ToArray(), [2, 3], x.Max(-1), 0, 0);
        Expect.Close(rows.Select(r => r.Min()).ToArray(), [2, 3, 1], x.Min(-1, keepDim: true), 0, 0);
        Expect.Close(rows.Select(r => Math.Log(r.Sum(Math.Exp))).ToArray(), [2, 3], x.LogSumExp(-1));
        Expect.Close([X.Average()], [], x.Mean());
        Expect.Close([X.Max()], [], x.Max(), 0, 0);
        Expect.Close([X.Min()], [], x.Min(), 0, 0);
    }

    [Fact]
    public void LogSumExpIsStableForLargeValues()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new float[] { 1000, 1000 });
        Expect.Close([1000 + Math.Log(2)], x.LogSumExp(), 1e-6);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void VarianceAndStdUseTheRequestedCorrection(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new double[] { 2, 4, 4, 4, 5, 5, 7, 9 }, device: d);
        // mean 5, squared deviations sum 32
        Expect.Close([32.0 / 7], [], x.Var(), 1e-12);
        Expect.Close([4.0], [], x.Var(correction: 0), 1e-12);
        Expect.Close([2.0], [], x.Std(correction: 0), 1e-12);
        Expect.Close([Math.Sqrt(32.0 / 7)], [], x.Std(), 1e-12);

        var m = x.Reshape(2, 4); // rows [2 4 4 4] (mean 3.5, ss 3) and [5 5 7 9] (mean 6.5, ss 11)
        Expect.Close([3.0 / 4, 11.0 / 4], [2, 1], m.Var(1, correction: 0, keepDim: true), 1e-12);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void NormsForP1P2AndInfinity(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new double[] { 3, -4, 0, 1, -2, 2 }, [2, 3], d);
        Expect.Close([Math.Sqrt(9 + 16 + 1 + 4 + 4)], [], x.Norm(), 1e-12);
        Expect.Close([12.0], [], x.Norm(1), 1e-12);
        Expect.Close([4.0], [], x.Norm(double.PositiveInfinity), 1e-12);
        Expect.Close([5.0, 3.0], [2], x.Norm(2, 1), 1e-12);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AnyAndAllTreatNonZeroAsTrue(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new float[] { 0, 0, 0, 1, 2, 3, 0, 5, 6, 0, 0, 0 }, [2, 2, 3], d);
        Assert.True(x.Any().Item<int>() == 1);
        Assert.False(x.All().Item<int>() == 1);
        Assert.Equal([false, true, true, false], x.Any(-1).Cpu().ToArray<bool>());
        Assert.Equal([false, true, false, false], x.All(-1).Cpu().ToArray<bool>());
        var anyOver02 = x.Any([0, 2]);
        Assert.Equal([2L], anyOver02.Shape);
        Assert.Equal([true, true], anyOver02.Cpu().ToArray<bool>());
        Assert.Equal([2L, 1L, 1L], x.All([1, 2], keepDim: true).Shape);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ArgMaxAndArgMinFindTheExtremeIndex(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Input(d);
        int flatMax = Array.IndexOf(X, X.Max()), flatMin = Array.IndexOf(X, X.Min());
        Assert.Equal(flatMax, x.ArgMax().Item<long>());
        Assert.Equal(flatMin, x.ArgMin().Item<long>());

        var argmaxDim1 = new double[8];
        for (int i = 0; i < 2; i++)
            for (int k = 0; k < 4; k++)
                argmaxDim1[i * 4 + k] = Enumerable.Range(0, 3).OrderByDescending(j => At(i, j, k)).First();
        var result = x.ArgMax(1);
        Assert.Equal(DType.Int64, result.DType);
        Expect.Close(argmaxDim1, [2, 4], result, 0, 0);
        Assert.Equal([2L, 1L, 4L], x.ArgMin(1, keepDim: true).Shape);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void CumulativeSumAndProduct(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new double[] { 1, 2, 3, 4, 5, 6 }, [2, 3], d);
        Expect.Close([1, 3, 6, 4, 9, 15], [2, 3], x.CumSum(1), 0, 0);
        Expect.Close([1, 2, 3, 5, 7, 9], [2, 3], x.CumSum(0), 0, 0);
        Expect.Close([1, 2, 6, 4, 20, 120], [2, 3], x.CumProd(-1), 0, 0);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void TopKAndSortReturnValuesWithTheirIndices(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new float[] { 5, 1, 4, 2, 3, 9, 0, 7 }, [2, 4], d);

        var (top, topIdx) = x.TopK(2);
        Expect.Exactly([5, 4, 9, 7], top);
        Expect.Exactly([0, 2, 1, 3], topIdx);
        var (low, lowIdx) = x.TopK(1, dim: 0, largest: false);
        Expect.Exactly([3, 1, 0, 2], low);
        Expect.Exactly([1, 0, 1, 0], lowIdx);

        var (sorted, order) = x.Sort();
        Expect.Exactly([1, 2, 4, 5, 0, 3, 7, 9], sorted);
        Expect.Exactly([1, 3, 2, 0, 2, 0, 3, 1], order);
        var (desc, _) = x.Sort(0, descending: true);
        Expect.Exactly([5, 9, 4, 7, 3, 1, 0, 2], desc);
    }
}
