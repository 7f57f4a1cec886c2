using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Data;

/// <summary>
/// Writes a dataset folder: uint8 frames in safetensors shards (<c>frames</c>: [clips, T, H, W, C]),
/// one JSON line of metadata per clip (<c>metadata.jsonl</c>), and <c>dataset.json</c> describing it all.
/// Everything goes to a temporary folder beside the target, renamed into place by <see cref="Complete"/>,
/// so an interrupted run never leaves a half-written dataset, and an existing one is never overwritten.
/// </summary>
public sealed class VideoDatasetWriter : IDisposable
{
    public const int DefaultClipsPerShard = 512;

    private readonly string _target, _temp;
    private readonly int _clipsPerShard;
    private readonly JsonObject _info;
    private readonly StreamWriter _metadata;
    private readonly MemoryStream _shard = new();
    private readonly List<string> _shards = [];
    private int _inShard;
    private bool _completed;

    public int Frames { get; }
    public int Height { get; }
    public int Width { get; }
    public int Channels { get; }
    public long Count { get; private set; }

    public VideoDatasetWriter(string directory, int frames, int height, int width, int channels, JsonObject info, int clipsPerShard = DefaultClipsPerShard)
    {
        _target = Path.GetFullPath(directory);
        if (Directory.Exists(_target) && Directory.EnumerateFileSystemEntries(_target).Any())
            throw new IOException($"{_target} already exists and is not empty; choose another --out (nothing was written)");
        if (clipsPerShard <= 0) throw new ArgumentOutOfRangeException(nameof(clipsPerShard), $"clips per shard must be positive, got {clipsPerShard}");
        (Frames, Height, Width, Channels, _clipsPerShard, _info) = (frames, height, width, channels, clipsPerShard, info);
        var parent = Path.GetDirectoryName(_target)!;
        Directory.CreateDirectory(parent);
        _temp = Path.Combine(parent, $".{Path.GetFileName(_target)}.partial-{Environment.ProcessId}");
        if (Directory.Exists(_temp)) Directory.Delete(_temp, recursive: true);
        Directory.CreateDirectory(_temp);
        _metadata = new StreamWriter(Path.Combine(_temp, "metadata.jsonl"), append: false, new UTF8Encoding(false));
    }

    public void Add(VideoClip clip)
    {
        if (_completed) throw new InvalidOperationException("the dataset was already completed");
        if (clip.Frames != Frames || clip.Height != Height || clip.Width != Width || clip.Channels != Channels)
            throw new ArgumentException($"clip {Count} is {clip.Frames}×{clip.Height}×{clip.Width}×{clip.Channels}, the dataset holds {Frames}×{Height}×{Width}×{Channels} clips");
        _shard.Write(clip.Pixels);
        _metadata.WriteLine(JsonSerializer.Serialize(ClipJson.From(Count, clip), ClipJson.Options));
        Count++;
        if (++_inShard == _clipsPerShard) FlushShard();
    }

    private void FlushShard()
    {
        if (_inShard == 0) return;
        var name = $"frames-{_shards.Count:D5}.safetensors";
        SafetensorsFile.SaveRaw(Path.Combine(_temp, name),
            [new SafetensorsFile.RawTensor("frames", DType.UInt8, [_inShard, Frames, Height, Width, Channels], _shard.GetBuffer().AsMemory(0, (int)_shard.Length))],
            new Dictionary<string, string> { ["format"] = "workbench-video-dataset" });
        _shards.Add(name);
        _shard.SetLength(0);
        _inShard = 0;
    }

    /// <summary>Writes the last shard and dataset.json, then moves the folder into place.</summary>
    public void Complete()
    {
        FlushShard();
        _metadata.Dispose();
        var info = (JsonObject)_info.DeepClone();
        info["format"] = "workbench-video-dataset";
        info["version"] = 1;
        info["clips"] = Count;
        info["frames"] = Frames; info["height"] = Height; info["width"] = Width; info["channels"] = Channels;
        info["clips_per_shard"] = _clipsPerShard;
        info["shards"] = new JsonArray(_shards.Select(s => (JsonNode)s).ToArray());
        AtomicFile.WriteAllText(Path.Combine(_temp, "dataset.json"), info.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (Directory.Exists(_target)) Directory.Delete(_target); // empty (checked in the constructor)
        Directory.Move(_temp, _target);
        _completed = true;
    }

    public void Dispose()
    {
        _metadata.Dispose();
        if (!_completed && Directory.Exists(_temp)) Directory.Delete(_temp, recursive: true);
    }
}
