using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Workbench.Data;

/// <summary>An image as bytes: height × width × channels (1 grey, 3 RGB, 4 RGBA), row-major.</summary>
public sealed record Image(byte[] Pixels, int Height, int Width, int Channels);

/// <summary>
/// PNG encoding and decoding of 8-bit images (the part of libpng/ImageSharp that Workbench needs):
/// grey, RGB, RGBA and palette images, non-interlaced, all five scanline filters, CRCs checked.
/// </summary>
public static class Png
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    public static byte[] Encode(Image image)
    {
        if (image.Channels is not (1 or 3 or 4)) throw new ArgumentException($"PNG encoding takes 1, 3 or 4 channels, got {image.Channels}");
        if (image.Pixels.Length != image.Height * image.Width * image.Channels)
            throw new ArgumentException($"{image.Pixels.Length} bytes do not make a {image.Height}×{image.Width}×{image.Channels} image");
        using var output = new MemoryStream();
        output.Write(Signature);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), image.Height);
        header[8] = 8;                                                      // bit depth
        header[9] = image.Channels switch { 1 => 0, 3 => 2, _ => 6 };      // colour type
        WriteChunk(output, "IHDR", header);
        int stride = image.Width * image.Channels;
        using (var compressed = new MemoryStream())
        {
            using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
                for (int y = 0; y < image.Height; y++)
                {
                    // Filter "Up" (2): each byte minus the one above; compresses smooth video frames well.
                    z.WriteByte(2);
                    var row = image.Pixels.AsSpan(y * stride, stride);
                    for (int x = 0; x < stride; x++) z.WriteByte((byte)(row[x] - (y > 0 ? image.Pixels[(y - 1) * stride + x] : 0)));
                }
            WriteChunk(output, "IDAT", compressed.ToArray());
        }
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    public static void Save(Image image, string path) => AtomicFile.Write(path, s => s.Write(Encode(image)));

    public static Image Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"PNG file {path} does not exist", path);
        return Decode(File.ReadAllBytes(path), path);
    }

    /// <summary>Decodes an 8-bit PNG to grey (1), RGB (3) or RGBA (4) bytes; palette images become RGB(A).</summary>
    public static Image Decode(byte[] data, string name = "PNG data")
    {
        InvalidDataException Bad(string what) => new($"{name}: {what}");
        if (data.Length < 8 || !data.AsSpan(0, 8).SequenceEqual(Signature)) throw Bad("not a PNG file (bad signature)");
        int width = 0, height = 0, colorType = -1;
        byte[]? palette = null, alpha = null;
        using var idat = new MemoryStream();
        int at = 8;
        while (true)
        {
            if (at + 12 > data.Length) throw Bad("truncated (a chunk runs past the end of the file)");
            int length = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(at));
            if (length < 0 || at + 12 + (long)length > data.Length) throw Bad("truncated (a chunk runs past the end of the file)");
            string type = Encoding.ASCII.GetString(data, at + 4, 4);
            var body = data.AsSpan(at + 8, length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at + 8 + length));
            if (crc != Crc32(data.AsSpan(at + 4, length + 4))) throw Bad($"corrupt (CRC mismatch in the {type} chunk)");
            at += 12 + length;
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(body);
                    height = BinaryPrimitives.ReadInt32BigEndian(body[4..]);
                    int depth = body[8];
                    colorType = body[9];
                    if (depth != 8) throw Bad($"unsupported bit depth {depth} (Workbench reads 8-bit PNGs)");
                    if (body[12] != 0) throw Bad("unsupported interlaced PNG");
                    if (colorType is not (0 or 2 or 3 or 4 or 6)) throw Bad($"unknown colour type {colorType}");
                    if (width <= 0 || height <= 0 || (long)width * height > 1 << 28) throw Bad($"unsupported size {width}×{height}");
                    break;
                case "PLTE": palette = body.ToArray(); break;
                case "tRNS": alpha = body.ToArray(); break;
                case "IDAT": idat.Write(body); break;
                case "IEND": return Unfilter(idat.ToArray(), width, height, colorType, palette, alpha, Bad);
            }
        }
    }

    private static Image Unfilter(byte[] compressed, int width, int height, int colorType, byte[]? palette, byte[]? alpha, Func<string, InvalidDataException> bad)
    {
        if (colorType < 0) throw bad("no IHDR chunk");
        int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        int stride = width * channels;
        var raw = new byte[(long)height * (stride + 1)];
        try
        {
            using var z = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
            z.ReadExactly(raw);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException) { throw bad($"corrupt image data ({e.Message})"); }

        var pixels = new byte[(long)height * stride];
        for (int y = 0; y < height; y++)
        {
            int filter = raw[y * (stride + 1)];
            var src = raw.AsSpan(y * (stride + 1) + 1, stride);
            var dst = pixels.AsSpan(y * stride, stride);
            var up = y > 0 ? pixels.AsSpan((y - 1) * stride, stride) : new byte[stride];
            for (int x = 0; x < stride; x++)
            {
                int left = x >= channels ? dst[x - channels] : 0, above = up[x], corner = x >= channels ? up[x - channels] : 0;
                dst[x] = (byte)(src[x] + filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => above,
                    3 => (left + above) / 2,
                    4 => Paeth(left, above, corner),
                    _ => throw bad($"unknown scanline filter {filter} in row {y}"),
                });
            }
        }
        return colorType switch
        {
            3 => ExpandPalette(pixels, width, height, palette ?? throw bad("palette image without a PLTE chunk"), alpha, bad),
            4 => ExpandGreyAlpha(pixels, width, height),
            _ => new Image(pixels, height, width, channels),
        };
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static Image ExpandPalette(byte[] indices, int width, int height, byte[] palette, byte[]? alpha, Func<string, InvalidDataException> bad)
    {
        int channels = alpha is null ? 3 : 4;
        var pixels = new byte[indices.LongLength * channels];
        for (long i = 0; i < indices.LongLength; i++)
        {
            int k = indices[i];
            if (3 * k + 2 >= palette.Length) throw bad($"palette index {k} is outside the {palette.Length / 3}-entry palette");
            pixels[i * channels] = palette[3 * k];
            pixels[i * channels + 1] = palette[3 * k + 1];
            pixels[i * channels + 2] = palette[3 * k + 2];
            if (alpha is not null) pixels[i * channels + 3] = k < alpha.Length ? alpha[k] : (byte)255;
        }
        return new Image(pixels, height, width, channels);
    }

    private static Image ExpandGreyAlpha(byte[] ga, int width, int height)
    {
        var pixels = new byte[(long)width * height * 4];
        for (long i = 0; i < (long)width * height; i++)
        {
            pixels[4 * i] = pixels[4 * i + 1] = pixels[4 * i + 2] = ga[2 * i];
            pixels[4 * i + 3] = ga[2 * i + 1];
        }
        return new Image(pixels, height, width, 4);
    }

    private static void WriteChunk(Stream output, string type, byte[] body)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, body.Length);
        output.Write(word);
        var typed = new byte[4 + body.Length];
        Encoding.ASCII.GetBytes(type, typed);
        body.CopyTo(typed, 4);
        output.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        output.Write(word);
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <summary>The CRC-32 of PNG chunks (ISO 3309, as in zlib's crc32).</summary>
    public static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint c = 0xFFFFFFFFu;
        foreach (var b in bytes) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
