using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workbench.Torch;

namespace Workbench.NN;

/// <summary>One entry of a safetensors header: dtype, shape and the byte range of its data.</summary>
public sealed record SafetensorsEntry(string Name, DType DType, long[] Shape, long Begin, long End)
{
    public long ByteCount => End - Begin;
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON header
/// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}, then the raw
/// little-endian data. Files written here load in PyTorch's <c>safetensors</c> package and vice versa.
/// Reading validates everything against the file (sizes, offsets, overlaps, dtypes) before touching data,
/// and maps the file so a large dataset shard is read lazily.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    private static readonly Dictionary<string, DType> DTypes = new()
    {
        ["F32"] = DType.Float32, ["F64"] = DType.Float64, ["F16"] = DType.Float16, ["BF16"] = DType.BFloat16,
        ["I64"] = DType.Int64, ["I32"] = DType.Int32, ["I16"] = DType.Int16, ["I8"] = DType.Int8,
        ["U8"] = DType.UInt8, ["BOOL"] = DType.Bool,
    };

    public static string DTypeName(DType t) => DTypes.First(kv => kv.Value == t).Key;

    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly long _dataStart;

    public string Path { get; }
    public IReadOnlyDictionary<string, SafetensorsEntry> Entries { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    private SafetensorsFile(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, long dataStart,
        Dictionary<string, SafetensorsEntry> entries, Dictionary<string, string> metadata)
    {
        (Path, _map, _view, _dataStart, Entries, Metadata) = (path, map, view, dataStart, entries, metadata);
    }

    /// <summary>Opens and validates <paramref name="path"/>; throws <see cref="InvalidDataException"/> naming the file and the problem.</summary>
    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"safetensors file {path} does not exist", path);
        long length = new FileInfo(path).Length;
        InvalidDataException Bad(string what) => new($"{path}: not a valid safetensors file: {what}");
        if (length < 8) throw Bad($"{length} bytes, shorter than the 8-byte header length");

        byte[] headerBytes;
        using (var stream = File.OpenRead(path))
        {
            Span<byte> prefix = stackalloc byte[8];
            stream.ReadExactly(prefix);
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > (ulong)Math.Min(MaxHeaderBytes, length - 8))
                throw Bad($"the header claims {headerLength} bytes but the file has {length - 8} after the length");
            headerBytes = new byte[headerLength];
            stream.ReadExactly(headerBytes);
        }
        long dataStart = 8 + headerBytes.Length, dataLength = length - dataStart;

        JsonObject header;
        try { header = JsonNode.Parse(headerBytes) as JsonObject ?? throw Bad("the header is not a JSON object"); }
        catch (JsonException e) { throw Bad($"the header is not valid JSON ({e.Message})"); }

        var entries = new Dictionary<string, SafetensorsEntry>();
        var metadata = new Dictionary<string, string>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is not JsonObject meta) throw Bad("__metadata__ is not an object");
                foreach (var (k, v) in meta)
                    metadata[k] = v is JsonValue s && s.TryGetValue<string>(out var str) ? str : throw Bad($"metadata '{k}' is not a string");
                continue;
            }
            entries[name] = ParseEntry(name, node, dataLength, Bad);
        }
        CheckNoOverlap(entries.Values, dataLength, Bad);

        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        return new SafetensorsFile(path, map, view, dataStart, entries, metadata);
    }

    private static SafetensorsEntry ParseEntry(string name, JsonNode? node, long dataLength, Func<string, InvalidDataException> bad)
    {
        if (node is not JsonObject o) throw bad($"tensor '{name}' is not an object");
        var dtypeName = o["dtype"]?.GetValue<string>() ?? throw bad($"tensor '{name}' has no dtype");
        if (!DTypes.TryGetValue(dtypeName, out var dtype))
            throw bad($"tensor '{name}' has dtype '{dtypeName}', which Workbench does not read (known: {string.Join(", ", DTypes.Keys)})");
        if (o["shape"] is not JsonArray shapeNode) throw bad($"tensor '{name}' has no shape");
        var shape = shapeNode.Select(n => n?.GetValue<long>() ?? -1).ToArray();
        if (shape.Any(s => s < 0)) throw bad($"tensor '{name}' has a negative size in shape [{string.Join(", ", shape)}]");
        if (o["data_offsets"] is not JsonArray offsets || offsets.Count != 2) throw bad($"tensor '{name}' has no [begin, end] data_offsets");
        long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
        if (begin < 0 || end < begin || end > dataLength)
            throw bad($"tensor '{name}' has data_offsets [{begin}, {end}] outside the {dataLength} data bytes");
        var entry = new SafetensorsEntry(name, dtype, shape, begin, end);
        long expected;
        try { expected = checked(entry.ElementCount * dtype.ElementSize()); }
        catch (OverflowException) { throw bad($"tensor '{name}' has an impossibly large shape"); }
        if (expected != entry.ByteCount)
            throw bad($"tensor '{name}' ({dtypeName}, shape [{string.Join(", ", shape)}]) needs {expected} bytes but data_offsets give {entry.ByteCount}");
        return entry;
    }

    private static void CheckNoOverlap(IEnumerable<SafetensorsEntry> entries, long dataLength, Func<string, InvalidDataException> bad)
    {
        long at = 0;
        foreach (var e in entries.OrderBy(e => e.Begin))
        {
            if (e.Begin < at) throw bad($"tensor '{e.Name}' overlaps the data of another tensor");
            at = e.End;
        }
    }

    public SafetensorsEntry this[string name] => Entries.TryGetValue(name, out var e) ? e
        : throw new KeyNotFoundException($"{Path}: no tensor named '{name}' (it has: {string.Join(", ", Entries.Keys.Take(20))}{(Entries.Count > 20 ? ", ..." : "")})");

    /// <summary>Copies bytes [offset, offset + destination.Length) of tensor <paramref name="name"/>'s data.</summary>
    public void ReadBytes(string name, long offset, Span<byte> destination)
    {
        var e = this[name];
        if (offset < 0 || offset + destination.Length > e.ByteCount)
            throw new ArgumentOutOfRangeException(nameof(offset), $"{Path}: bytes [{offset}, {offset + destination.Length}) are outside tensor '{name}' ({e.ByteCount} bytes)");
        unsafe
        {
            byte* p = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            try { new ReadOnlySpan<byte>(p + _view.PointerOffset + _dataStart + e.Begin + offset, destination.Length).CopyTo(destination); }
            finally { _view.SafeMemoryMappedViewHandle.ReleasePointer(); }
        }
    }

    /// <summary>Tensor <paramref name="name"/> as a CPU tensor.</summary>
    public Tensor ReadTensor(string name)
    {
        var e = this[name];
        var bytes = new byte[e.ByteCount];
        ReadBytes(name, 0, bytes);
        return TensorFromBytes(bytes, e.DType, e.Shape);
    }

    internal static unsafe Tensor TensorFromBytes(byte[] bytes, DType dtype, long[] shape)
    {
        using var scope = DisposeScope.Enter();
        // The bytes as a uint8 tensor, reinterpreted (view(dtype), no conversion) as the stored dtype.
        var raw = Tensor.From(bytes, [bytes.LongLength]);
        return scope.Keep(raw.ViewAs(dtype).Reshape(shape));
    }

    public void Dispose()
    {
        _view.Dispose();
        _map.Dispose();
    }

    /// <summary>
    /// Writes tensors (on any device; copied to host) and string metadata to <paramref name="path"/> atomically:
    /// a temporary file in the same folder, renamed into place, so a crash never leaves a half-written file.
    /// </summary>
    public static void Save(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var raw = tensors.Select(t => new RawTensor(t.Name, t.Tensor.DType, t.Tensor.Shape, HostBytes(t.Tensor))).ToList();
        SaveRaw(path, raw, metadata);
    }

    /// <summary>A tensor as bytes, for writing without a libtorch tensor (e.g. dataset shards).</summary>
    public sealed record RawTensor(string Name, DType DType, long[] Shape, ReadOnlyMemory<byte> Data);

    /// <summary>Writes raw tensors; each one's byte count must match its dtype and shape.</summary>
    public static void SaveRaw(string path, IReadOnlyList<RawTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        foreach (var t in tensors)
        {
            if (t.Name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved and cannot name a tensor");
            long bytes = t.Shape.Aggregate(1L, (a, b) => a * b) * t.DType.ElementSize();
            if (bytes != t.Data.Length)
                throw new ArgumentException($"tensor '{t.Name}' ({t.DType.Name()}, shape {Tensor.FormatShape(t.Shape)}) needs {bytes} bytes, got {t.Data.Length}");
            header[t.Name] = new JsonObject
            {
                ["dtype"] = DTypeName(t.DType),
                ["shape"] = new JsonArray(t.Shape.Select(s => (JsonNode)s).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        // Pad the header with spaces to an 8-byte boundary, as the reference writer does (alignment for mmap readers).
        int padded = (headerBytes.Length + 7) / 8 * 8;
        AtomicFile.Write(path, stream =>
        {
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)padded);
            stream.Write(prefix);
            stream.Write(headerBytes);
            for (int i = headerBytes.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var t in tensors) stream.Write(t.Data.Span);
        });
    }

    private static byte[] HostBytes(Tensor t)
    {
        using var scope = DisposeScope.Enter();
        return t.Detach().Cpu().Contiguous().Flatten().ViewAs(DType.UInt8).ToArray<byte>();
    }
}
