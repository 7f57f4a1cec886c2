namespace Workbench.Metrics.Tests;

public class NpyTests
{
    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    [Fact]
    public void ReadsNumpysFloat32File()
    {
        // np.arange(6, dtype=float32).reshape(3, 2) / 4 - 0.5, saved by numpy (tests/fixtures/frechet_reference.py).
        var m = Npy.ReadMatrix(Fixture("npy_float32_c.npy"));
        Assert.Equal(3, m.GetLength(0));
        Assert.Equal(2, m.GetLength(1));
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++) Assert.Equal((i * 2 + j) / 4.0 - 0.5, m[i, j], 12);
    }

    [Fact]
    public void ReadsNumpysFortranOrderFloat64File()
    {
        // np.asfortranarray(np.arange(6).reshape(2, 3) * 1.5 + 0.25): stored column by column, read back row-major.
        var m = Npy.ReadMatrix(Fixture("npy_float64_fortran.npy"));
        Assert.Equal(2, m.GetLength(0));
        Assert.Equal(3, m.GetLength(1));
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++) Assert.Equal((i * 3 + j) * 1.5 + 0.25, m[i, j], 12);
    }

    [Fact]
    public void RejectsIntegerArraysWithAClearMessage()
    {
        var e = Assert.Throws<InvalidDataException>(() => Npy.ReadMatrix(Fixture("npy_int64.npy")));
        Assert.Contains("float32 or float64", e.Message);
    }

    [Fact]
    public void RejectsFilesThatAreNotNpyAndArraysThatAreNotMatrices()
    {
        var path = Path.Combine(Path.GetTempPath(), $"wb-{Guid.NewGuid():N}.npy");
        try
        {
            File.WriteAllText(path, "not numpy");
            Assert.Contains("not a .npy file", Assert.Throws<InvalidDataException>(() => Npy.ReadMatrix(path)).Message);
            Npy.Write(path, [1.0, 2.0, 3.0], [3]);
            Assert.Contains("2-D", Assert.Throws<InvalidDataException>(() => Npy.ReadMatrix(path)).Message);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RoundTripsAndFollowsTheFormat(bool float64)
    {
        var path = Path.Combine(Path.GetTempPath(), $"wb-{Guid.NewGuid():N}.npy");
        try
        {
            var m = new double[4, 3];
            for (int i = 0; i < 4; i++) for (int j = 0; j < 3; j++) m[i, j] = i - 0.25 * j;
            Npy.Write(path, m, float64);
            var bytes = File.ReadAllBytes(path);
            int headerLength = BitConverter.ToUInt16(bytes, 8);
            Assert.Equal(0, (10 + headerLength) % 64);                   // the data starts 64-byte aligned
            Assert.Equal(10 + headerLength + 12 * (float64 ? 8 : 4), bytes.Length);
            Assert.Equal((byte)'\n', bytes[10 + headerLength - 1]);
            Assert.Equal(m, Npy.ReadMatrix(path));
        }
        finally { File.Delete(path); }
    }
}
