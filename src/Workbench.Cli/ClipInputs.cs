using Workbench.Data;

namespace Workbench.Cli;

/// <summary>
/// Turns the paths given to the metric commands into clips: a Workbench dataset folder (dataset.json), a folder
/// of video files, or one video file. Captions come from the dataset, or from a sidecar name.txt beside a video.
/// </summary>
internal static class ClipInputs
{
    public static bool IsDataset(string path) => Directory.Exists(path) && File.Exists(Path.Combine(path, "dataset.json"));

    /// <summary>Named clips read whole (every frame, native size): for VBench and physics.</summary>
    public static List<(string Name, VideoClip Clip)> ReadAll(IEnumerable<string> paths, int maxPerSource)
    {
        var result = new List<(string, VideoClip)>();
        foreach (var path in paths)
        {
            if (IsDataset(path))
            {
                using var dataset = VideoDataset.Open(path);
                for (long i = 0; i < Math.Min(dataset.Count, maxPerSource); i++)
                    result.Add(($"{Path.GetFileName(Path.TrimEndingDirectorySeparator(path))}[{i}]", dataset.Get(i)));
            }
            else if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path).Where(f => VideoFolder.Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .Order(StringComparer.Ordinal).Take(maxPerSource).ToList();
                if (files.Count == 0) throw new FileNotFoundException($"{path} holds no videos ({string.Join(", ", VideoFolder.Extensions)}) and is not a dataset folder");
                result.AddRange(files.Select(f => (Path.GetFileName(f), ReadFile(f))));
            }
            else if (File.Exists(path)) result.Add((Path.GetFileName(path), ReadFile(path)));
            else throw new FileNotFoundException($"{path} is neither a video, a folder of videos, nor a dataset folder", path);
        }
        return result;
    }

    private static VideoClip ReadFile(string path)
    {
        var clip = Media.ReadVideo(path);
        var sidecar = Path.ChangeExtension(path, ".txt");
        return File.Exists(sidecar) ? clip with { Caption = File.ReadAllText(sidecar).Trim() } : clip;
    }

    /// <summary>
    /// Clips of one shape for a feature network: a dataset as it is, or videos read at <paramref name="frames"/>
    /// frames and <paramref name="size"/>² pixels (native size when null).
    /// </summary>
    public static IVideoDataset OpenForFeatures(string path, int frames, int? size)
    {
        if (IsDataset(path)) return VideoDataset.Open(path);
        if (Directory.Exists(path))
        {
            var first = Directory.EnumerateFiles(path).Where(f => VideoFolder.Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .Order(StringComparer.Ordinal).FirstOrDefault() ?? throw new FileNotFoundException($"{path} holds no videos and is not a dataset folder");
            var info = Media.Probe(first);
            return new VideoFolder(path, frames, size ?? info.Width, size ?? info.Height);
        }
        if (File.Exists(path))
        {
            var clip = Media.ReadVideo(path, new VideoReadOptions { MaxFrames = frames, Size = size is { } s ? (s, s) : null });
            return new GeneratedDataset(1, _ => clip);
        }
        throw new FileNotFoundException($"{path} is neither a .npy feature file, a video, a folder of videos, nor a dataset folder", path);
    }
}
