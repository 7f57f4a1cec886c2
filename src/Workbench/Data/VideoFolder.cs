namespace Workbench.Data;

/// <summary>
/// A folder of the user's videos as a dataset: every clip is read through ffmpeg at a fixed frame count,
/// size and rate, so a batch stacks. The caption is the text of a sidecar <c>name.txt</c> if present,
/// else the file name.
/// </summary>
public sealed class VideoFolder : IVideoDataset
{
    public static readonly string[] Extensions = [".mp4", ".webm", ".mkv", ".mov", ".avi", ".gif", ".m4v"];

    private readonly string[] _files;

    public VideoFolder(string directory, int frames, int width, int height, double? fps = null, int stride = 1, bool grey = false)
    {
        if (!System.IO.Directory.Exists(directory)) throw new DirectoryNotFoundException($"video folder {directory} does not exist");
        if (frames <= 0 || width <= 0 || height <= 0) throw new ArgumentException($"frames, width and height must be positive, got {frames}, {width}, {height}");
        Directory = directory;
        _files = System.IO.Directory.EnumerateFiles(directory)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToArray();
        if (_files.Length == 0) throw new FileNotFoundException($"{directory} holds no videos ({string.Join(", ", Extensions)})");
        Options = new VideoReadOptions { MaxFrames = frames, Size = (width, height), Fps = fps, Stride = stride, Grey = grey };
        Frames = frames;
    }

    public string Directory { get; }
    public VideoReadOptions Options { get; }
    public int Frames { get; }
    public IReadOnlyList<string> Files => _files;
    public long Count => _files.Length;

    public VideoClip Get(long index)
    {
        var path = _files[index];
        var clip = Media.ReadVideo(path, Options);
        if (clip.Frames < Frames)
            throw new InvalidDataException($"{path}: has {clip.Frames} frames at the requested rate and stride, {Frames} are needed");
        var sidecar = Path.ChangeExtension(path, ".txt");
        return File.Exists(sidecar) ? clip with { Caption = File.ReadAllText(sidecar).Trim() } : clip;
    }
}

/// <summary>Clips made on demand by a generator (e.g. Bouncing Shapes), for datasets never written to disk.</summary>
public sealed class GeneratedDataset(long count, Func<long, VideoClip> generate) : IVideoDataset
{
    public long Count { get; } = count;
    public VideoClip Get(long index) => index >= 0 && index < Count ? generate(index)
        : throw new ArgumentOutOfRangeException(nameof(index), $"clip {index} is outside the dataset's {Count} clips");
}
