namespace Workbench.Tests;

public class MatmulTests
{
    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void MatMulOfTwoMatricesMatchesTheTripleLoop(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var a = Data.UniformF(17 * 13, 1);
        var b = Data.UniformF(13 * 11, 2);
        var (r, at) = Tol.Products(d);
        Expect.Close(Reference.MatMul(a, b, 17, 13, 11), [17, 11], Data.F32(a, [17, 13], d).MatMul(Data.F32(b, [13, 11], d)), r, at);
    }

    [Fact]
    public void MatMulOfSmallIntegersIsExact()
    {
        using var scope = DisposeScope.Enter();
        var a = Tensor.From(new float[,] { { 1, 2 }, { 3, 4 } });
        var b = Tensor.From(new float[,] { { 5, 6 }, { 7, 8 } });
        Assert.Equal([19f, 22, 43, 50], a.MatMul(b).ToArray<float>());
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void MatMulBroadcastsABatchAgainstOneMatrix(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var a = Data.UniformF(3 * 4 * 5, 3);
        var b = Data.UniformF(5 * 2, 4);
        var expected = new double[3 * 4 * 2];
        for (int batch = 0; batch < 3; batch++)
            Reference.MatMul(a, b, 4, 5, 2, aOffset: batch * 20).CopyTo(expected, batch * 8);
        var (r, at) = Tol.Products(d);
        Expect.Close(expected, [3, 4, 2], Data.F32(a, [3, 4, 5], d).MatMul(Data.F32(b, [5, 2], d)), r, at);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void MatMulOfAVectorAndAMatrixDropsTheVectorDim(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var v = Tensor.From(new float[] { 1, 2, 3 }, device: d);
        var m = Tensor.From(new float[] { 1, 0, 0, 1, 1, 1 }, [3, 2], d);
        Expect.Close([4, 5], [2], v.MatMul(m), 0, 0);
        Expect.Close([14], [], v.MatMul(v), 0, 0);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void BmmMultipliesEachPairInTheBatch(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var a = Data.UniformF(2 * 3 * 4, 5);
        var b = Data.UniformF(2 * 4 * 6, 6);
        var expected = new double[2 * 3 * 6];
        for (int batch = 0; batch < 2; batch++)
            Reference.MatMul(a, b, 3, 4, 6, batch * 12, batch * 24).CopyTo(expected, batch * 18);
        var (r, at) = Tol.Products(d);
        Expect.Close(expected, [2, 3, 6], Data.F32(a, [2, 3, 4], d).Bmm(Data.F32(b, [2, 4, 6], d)), r, at);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void OuterProductIsEveryPairwiseProduct(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var a = Tensor.From(new float[] { 1, 2, 3 }, device: d);
        var b = Tensor.From(new float[] { 10, -1 }, device: d);
        Expect.Close([10, -1, 20, -2, 30, -3], [3, 2], a.Outer(b), 0, 0);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void EinsumContractsTheNamedIndices(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var a = Data.UniformF(2 * 3 * 4, 7);
        var b = Data.UniformF(2 * 4 * 5, 8);
        var ta = Data.F32(a, [2, 3, 4], d);
        var tb = Data.F32(b, [2, 4, 5], d);
        var expected = new double[2 * 3 * 5];
        for (int batch = 0; batch < 2; batch++)
            Reference.MatMul(a, b, 3, 4, 5, batch * 12, batch * 20).CopyTo(expected, batch * 15);
        var (r, at) = Tol.Products(d);
        Expect.Close(expected, [2, 3, 5], Tensor.Einsum("bij,bjk->bik", ta, tb), r, at);

        var m = Tensor.From(new float[] { 1, 2, 3, 4 }, [2, 2], d);
        Expect.Close([5], [], Tensor.Einsum("ii->", m), 0, 0);               // trace
        Expect.Close([1, 3, 2, 4], [2, 2], Tensor.Einsum("ij->ji", m), 0, 0); // transpose
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void LinearIsXTimesWeightTransposedPlusBias(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var x = Data.UniformF(6 * 5, 11);
        var w = Data.UniformF(4 * 5, 12);
        var b = Data.UniformF(4, 13);
        var (r, at) = Tol.Products(d);
        var tx = Data.F32(x, [2, 3, 5], d); // leading dims are batch dims
        Expect.Close(Reference.Linear(x, 6, 5, w, 4, b), [2, 3, 4], F.Linear(tx, Data.F32(w, [4, 5], d), Data.F32(b, [4], d)), r, at);
        Expect.Close(Reference.Linear(x, 6, 5, w, 4, null), [2, 3, 4], F.Linear(tx, Data.F32(w, [4, 5], d)), r, at);
    }
}
