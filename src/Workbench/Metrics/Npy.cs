using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Workbench.Metrics;

/// <summary>
/// NumPy's <c>.npy</c> format for feature matrices [N, D] of float32 or float64, so that FVD/KID figures can
/// be cross-checked against other implementations (<c>np.save("real.npy", feats)</c> there,
/// <c>workbench fvd real.npy fake.npy</c> here, and the reverse). Reads format versions 1, 2 and 3,
/// little- or big-endian, C or Fortran order; writes version 1, little-endian, C order.
/// </summary>
public static partial class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a 2-D float32/float64 array as rows of doubles: [N, D].</summary>
    public static double[,] ReadMatrix(string path)
    {
        var (data, shape) = Read(path);
        if (shape.Length != 2)
            throw new InvalidDataException($"{path}: a feature file must hold a 2-D array [N, D], this one has shape ({string.Join(", ", shape)})");
        var m = new double[shape[0], shape[1]];
        Buffer.BlockCopy(data, 0, m, 0, data.Length * sizeof(double));
        return m;
    }

    /// <summary>Reads a float32/float64 array of any rank: its values (row-major) and shape.</summary>
    public static (double[] Data, long[] Shape) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"feature file {path} does not exist", path);
        using var stream = File.OpenRead(path);
        var head = new byte[10];
        if (stream.Read(head, 0, 8) < 8 || !head.AsSpan(0, 6).SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a .npy file (it does not start with \\x93NUMPY)");
        int major = head[6];
        int headerLength;
        if (major == 1)
        {
            stream.ReadExactly(head, 8, 2);
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(8, 2));
        }
        else if (major is 2 or 3)
        {
            var len = new byte[4];
            stream.ReadExactly(len);
            headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(len));
        }
        else throw new InvalidDataException($"{path}: .npy format version {major}.{head[7]} is not supported (1, 2 and 3 are)");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);

        var descr = DescrPattern().Match(header);
        var order = OrderPattern().Match(header);
        var shapeMatch = ShapePattern().Match(header);
        if (!descr.Success || !order.Success || !shapeMatch.Success)
            throw new InvalidDataException($"{path}: cannot parse the .npy header {header.Trim()}");
        string dtype = descr.Groups[1].Value;
        bool fortran = order.Groups[1].Value == "True";
        var shape = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        int size = dtype switch
        {
            "<f4" or ">f4" or "=f4" or "|f4" => 4,
            "<f8" or ">f8" or "=f8" or "|f8" => 8,
            _ => throw new InvalidDataException($"{path}: dtype '{dtype}' is not supported; save features as float32 or float64 (e.g. feats.astype(np.float32))"),
        };
        bool bigEndian = dtype[0] == '>';
        long count = shape.Aggregate(1L, (a, b) => a * b);
        var raw = new byte[checked(count * size)];
        int got = stream.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
        if (got < raw.Length)
            throw new InvalidDataException($"{path}: the header promises shape ({string.Join(", ", shape)}) of {dtype} ({raw.Length} bytes), the file holds {got}");

        var values = new double[count];
        for (long i = 0; i < count; i++)
        {
            var span = raw.AsSpan((int)(i * size), size);
            values[i] = size == 4
                ? (bigEndian ? BinaryPrimitives.ReadSingleBigEndian(span) : BinaryPrimitives.ReadSingleLittleEndian(span))
                : (bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(span) : BinaryPrimitives.ReadDoubleLittleEndian(span));
        }
        if (fortran && shape.Length > 1) values = FortranToC(values, shape);
        return (values, shape);
    }

    // Column-major → row-major for any rank.
    private static double[] FortranToC(double[] values, long[] shape)
    {
        var result = new double[values.Length];
        int rank = shape.Length;
        var index = new long[rank];
        for (long flat = 0; flat < values.Length; flat++)
        {
            // flat is the C-order position; compute its Fortran-order position.
            long rem = flat, fortranPos = 0, stride = 1;
            for (int d = rank - 1; d >= 0; d--) { index[d] = rem % shape[d]; rem /= shape[d]; }
            for (int d = 0; d < rank; d++) { fortranPos += index[d] * stride; stride *= shape[d]; }
            result[flat] = values[fortranPos];
        }
        return result;
    }

    /// <summary>Writes [N, D] as float32 (default) or float64, atomically.</summary>
    public static void Write(string path, double[,] matrix, bool float64 = false)
    {
        int n = matrix.GetLength(0), d = matrix.GetLength(1);
        var flat = new double[n * d];
        Buffer.BlockCopy(matrix, 0, flat, 0, flat.Length * sizeof(double));
        Write(path, flat, [n, d], float64);
    }

    /// <summary>Writes values (row-major) of <paramref name="shape"/> as float32 or float64, atomically.</summary>
    public static void Write(string path, ReadOnlySpan<double> values, long[] shape, bool float64 = false)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (count != values.Length) throw new ArgumentException($"{values.Length} values do not fill shape ({string.Join(", ", shape)})");
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        string header = $"{{'descr': '{(float64 ? "<f8" : "<f4")}', 'fortran_order': False, 'shape': {shapeText}, }}";
        // Pad with spaces so that magic + version + length + header + '\n' is a multiple of 64 bytes.
        int total = Magic.Length + 2 + 2 + header.Length + 1;
        header += new string(' ', (64 - total % 64) % 64) + "\n";
        int size = float64 ? 8 : 4;
        var bytes = new byte[Magic.Length + 4 + header.Length + count * size];
        Magic.CopyTo(bytes, 0);
        bytes[6] = 1; bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.Latin1.GetBytes(header).CopyTo(bytes, 10);
        int at = 10 + header.Length;
        for (int i = 0; i < values.Length; i++, at += size)
        {
            if (float64) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(at), values[i]);
            else BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(at), (float)values[i]);
        }
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")] private static partial Regex DescrPattern();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")] private static partial Regex OrderPattern();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")] private static partial Regex ShapePattern();
}
