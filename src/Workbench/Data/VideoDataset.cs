using System.Text.Json;
using System.Text.Json.Nodes;
using Workbench.NN;

namespace Workbench.Data;

/// <summary>A source of clips by index: a dataset on disk, a folder of videos, or a generator.</summary>
public interface IVideoDataset
{
    long Count { get; }
    VideoClip Get(long index);
}

/// <summary>
/// A dataset folder written by <see cref="VideoDatasetWriter"/>: shards are memory-mapped and a clip's
/// frames are copied out on demand; metadata lines are indexed at open and parsed on demand.
/// </summary>
public sealed class VideoDataset : IVideoDataset, IDisposable
{
    private readonly SafetensorsFile[] _shards;
    private readonly long[] _lineOffsets;
    private readonly string _metadataPath;
    private readonly int _clipsPerShard;

    public string Directory { get; }
    public JsonObject Info { get; }
    public long Count { get; }
    public int Frames { get; }
    public int Height { get; }
    public int Width { get; }
    public int Channels { get; }
    public double Fps { get; }

    private VideoDataset(string directory, JsonObject info, SafetensorsFile[] shards, long[] lineOffsets)
    {
        (Directory, Info, _shards, _lineOffsets) = (directory, info, shards, lineOffsets);
        _metadataPath = Path.Combine(directory, "metadata.jsonl");
        Count = info["clips"]!.GetValue<long>();
        Frames = info["frames"]!.GetValue<int>();
        Height = info["height"]!.GetValue<int>();
        Width = info["width"]!.GetValue<int>();
        Channels = info["channels"]!.GetValue<int>();
        _clipsPerShard = info["clips_per_shard"]!.GetValue<int>();
        Fps = info["fps"]?.GetValue<double>() ?? 8;
    }

    /// <summary>Opens <paramref name="directory"/>, checking that dataset.json, shards and metadata agree.</summary>
    public static VideoDataset Open(string directory)
    {
        var dir = Path.GetFullPath(directory);
        var infoPath = Path.Combine(dir, "dataset.json");
        if (!File.Exists(infoPath)) throw new FileNotFoundException($"{dir} is not a Workbench dataset (no dataset.json); create one with `workbench data`", infoPath);
        JsonObject info;
        try { info = JsonNode.Parse(File.ReadAllText(infoPath)) as JsonObject ?? throw new InvalidDataException($"{infoPath}: not a JSON object"); }
        catch (JsonException e) { throw new InvalidDataException($"{infoPath}: invalid JSON ({e.Message})"); }
        foreach (var key in new[] { "clips", "frames", "height", "width", "channels", "clips_per_shard", "shards" })
            if (info[key] is null) throw new InvalidDataException($"{infoPath}: missing '{key}'");

        var shards = info["shards"]!.AsArray().Select(n => SafetensorsFile.Open(Path.Combine(dir, n!.GetValue<string>()))).ToArray();
        var lineOffsets = IndexLines(Path.Combine(dir, "metadata.jsonl"));
        var dataset = new VideoDataset(dir, info, shards, lineOffsets);
        dataset.Validate();
        return dataset;
    }

    private void Validate()
    {
        long total = 0;
        foreach (var shard in _shards)
        {
            var e = shard["frames"];
            if (e.Shape.Length != 5 || e.Shape[1] != Frames || e.Shape[2] != Height || e.Shape[3] != Width || e.Shape[4] != Channels)
                throw new InvalidDataException($"{shard.Path}: frames have shape [{string.Join(", ", e.Shape)}], dataset.json says [n, {Frames}, {Height}, {Width}, {Channels}]");
            total += e.Shape[0];
        }
        if (total != Count) throw new InvalidDataException($"{Directory}: shards hold {total} clips, dataset.json says {Count}");
        if (_lineOffsets.Length != Count) throw new InvalidDataException($"{_metadataPath}: {_lineOffsets.Length} metadata lines for {Count} clips");
    }

    private static long[] IndexLines(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"dataset metadata {path} is missing", path);
        var offsets = new List<long>();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var buffer = new byte[1 << 20];
        long position = 0;
        bool atLineStart = true;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            for (int i = 0; i < read; i++)
            {
                if (atLineStart) { offsets.Add(position + i); atLineStart = false; }
                if (buffer[i] == (byte)'\n') atLineStart = true;
            }
            position += read;
        }
        return offsets.ToArray();
    }

    public VideoClip Get(long index)
    {
        if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index), $"clip {index} is outside the dataset's {Count} clips");
        var clip = VideoClip.Blank(Frames, Height, Width, Channels);
        var shard = _shards[index / _clipsPerShard];
        shard.ReadBytes("frames", index % _clipsPerShard * clip.Pixels.LongLength, clip.Pixels);
        var meta = ReadMetadata(index);
        return clip with { Caption = meta.Caption, Objects = meta.Objects.Select(o => o.ToTrack()).ToArray(), Fps = Fps };
    }

    private ClipJson ReadMetadata(long index)
    {
        using var stream = new FileStream(_metadataPath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        stream.Position = _lineOffsets[index];
        long end = index + 1 < _lineOffsets.Length ? _lineOffsets[index + 1] : stream.Length;
        var bytes = new byte[end - _lineOffsets[index]];
        stream.ReadExactly(bytes);
        try
        {
            return JsonSerializer.Deserialize<ClipJson>(bytes, ClipJson.Options)
                   ?? throw new InvalidDataException($"{_metadataPath}: line {index + 1} is empty");
        }
        catch (JsonException e) { throw new InvalidDataException($"{_metadataPath}: line {index + 1} is not valid clip metadata ({e.Message})"); }
    }

    public void Dispose()
    {
        foreach (var s in _shards) s.Dispose();
    }
}
