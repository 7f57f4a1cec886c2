using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Workbench.Data;

/// <summary>How to read a video: frame rate, crop (in source pixels), resize, start, length and stride.</summary>
public sealed record VideoReadOptions
{
    /// <summary>Resample to this many frames per second (null: the file's rate).</summary>
    public double? Fps { get; init; }
    /// <summary>Crop (x, y, width, height) in source pixels, applied before resizing.</summary>
    public (int X, int Y, int Width, int Height)? Crop { get; init; }
    /// <summary>Resize to (width, height).</summary>
    public (int Width, int Height)? Size { get; init; }
    public double StartSeconds { get; init; }
    /// <summary>Keep at most this many frames (after the stride).</summary>
    public int? MaxFrames { get; init; }
    /// <summary>Keep every k-th frame.</summary>
    public int Stride { get; init; } = 1;
    public bool Grey { get; init; }
}

/// <summary>What ffprobe says of a video's first video stream.</summary>
public sealed record VideoInfo(int Width, int Height, double Fps, double DurationSeconds, string Codec);

/// <summary>
/// Video files through ffmpeg as a subprocess (the way imageio-ffmpeg works): raw RGB/grey frames over a
/// pipe. Writes mp4 (H.264), webm (VP9), gif, and png (a strip of the frames side by side).
/// </summary>
public static class Media
{
    public static string FfmpegPath { get; set; } = "ffmpeg";
    public static string FfprobePath { get; set; } = "ffprobe";

    public static VideoInfo Probe(string path)
    {
        RequireFile(path);
        var (output, error, code) = Run(FfprobePath, ["-v", "error", "-select_streams", "v:0", "-show_entries",
            "stream=width,height,avg_frame_rate,r_frame_rate,codec_name:format=duration", "-of", "json", path], null);
        if (code != 0) throw new InvalidDataException($"{path}: ffprobe cannot read it: {LastLine(error)}");
        using var json = JsonDocument.Parse(output);
        if (!json.RootElement.TryGetProperty("streams", out var streams) || streams.GetArrayLength() == 0)
            throw new InvalidDataException($"{path}: no video stream");
        var s = streams[0];
        double fps = ParseRate(s.TryGetProperty("avg_frame_rate", out var a) ? a.GetString() : null) is > 0 and var f ? f
            : ParseRate(s.TryGetProperty("r_frame_rate", out var r) ? r.GetString() : null);
        double duration = json.RootElement.TryGetProperty("format", out var fmt) && fmt.TryGetProperty("duration", out var d)
            && double.TryParse(d.GetString(), CultureInfo.InvariantCulture, out var secs) ? secs : double.NaN;
        return new VideoInfo(s.GetProperty("width").GetInt32(), s.GetProperty("height").GetInt32(), fps, duration,
            s.TryGetProperty("codec_name", out var c) ? c.GetString() ?? "" : "");
    }

    private static double ParseRate(string? rate)
    {
        if (rate is null) return 0;
        var parts = rate.Split('/');
        return parts.Length == 2 && double.TryParse(parts[0], CultureInfo.InvariantCulture, out var n) && double.TryParse(parts[1], CultureInfo.InvariantCulture, out var m) && m != 0
            ? n / m : 0;
    }

    /// <summary>Reads a video into a clip (frames × height × width × channels bytes).</summary>
    public static VideoClip ReadVideo(string path, VideoReadOptions? options = null)
    {
        var o = options ?? new VideoReadOptions();
        if (o.Stride < 1) throw new ArgumentException($"stride must be >= 1, got {o.Stride}");
        var info = Probe(path);
        var (width, height) = (info.Width, info.Height);
        var filters = new List<string>();
        if (o.Fps is { } fps) filters.Add(FormattableString.Invariant($"fps={fps}"));
        if (o.Crop is { } crop)
        {
            if (crop.X < 0 || crop.Y < 0 || crop.Width <= 0 || crop.Height <= 0 || crop.X + crop.Width > width || crop.Y + crop.Height > height)
                throw new ArgumentException($"{path}: crop {crop} does not fit in the {width}×{height} video");
            filters.Add($"crop={crop.Width}:{crop.Height}:{crop.X}:{crop.Y}");
            (width, height) = (crop.Width, crop.Height);
        }
        if (o.Size is { } size)
        {
            if (size.Width <= 0 || size.Height <= 0) throw new ArgumentException($"resize to {size.Width}×{size.Height} is not a size");
            filters.Add($"scale={size.Width}:{size.Height}:flags=area");
            (width, height) = size;
        }
        int channels = o.Grey ? 1 : 3;
        var args = new List<string> { "-v", "error", "-nostdin" };
        if (o.StartSeconds > 0) args.AddRange(["-ss", o.StartSeconds.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["-i", path]);
        if (filters.Count > 0) args.AddRange(["-vf", string.Join(",", filters)]);
        if (o.MaxFrames is { } max) args.AddRange(["-frames:v", ((long)max * o.Stride).ToString()]);
        args.AddRange(["-f", "rawvideo", "-pix_fmt", o.Grey ? "gray" : "rgb24", "-"]);

        int frameBytes = width * height * channels;
        var kept = new List<byte[]>();
        var (error, code) = RunReading(FfmpegPath, args, stdout =>
        {
            long index = 0;
            var frame = new byte[frameBytes];
            while (ReadFull(stdout, frame))
            {
                if (index++ % o.Stride == 0 && (o.MaxFrames is null || kept.Count < o.MaxFrames)) kept.Add((byte[])frame.Clone());
            }
        });
        if (code != 0) throw new InvalidDataException($"{path}: ffmpeg could not decode it: {LastLine(error)}");
        if (kept.Count == 0) throw new InvalidDataException($"{path}: no frames were decoded");
        var clip = VideoClip.Blank(kept.Count, height, width, channels) with
        {
            Fps = (o.Fps ?? info.Fps) / o.Stride, Caption = Path.GetFileNameWithoutExtension(path),
        };
        for (int t = 0; t < kept.Count; t++) kept[t].CopyTo(clip.Frame(t));
        return clip;
    }

    /// <summary>Writes a clip by extension: .mp4 (H.264), .webm (VP9), .gif, or .png (frames side by side).</summary>
    public static void WriteVideo(VideoClip clip, string path, double? fps = null)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".png")
        {
            Png.Save(FrameStrip(clip), path);
            return;
        }
        string[] codec = ext switch
        {
            ".mp4" => ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "12", "-preset", "medium", "-movflags", "+faststart"],
            ".webm" => ["-c:v", "libvpx-vp9", "-pix_fmt", "yuv420p", "-crf", "20", "-b:v", "0"],
            ".gif" => ["-filter_complex", "split[a][b];[a]palettegen=stats_mode=full[p];[b][p]paletteuse=dither=none", "-loop", "0"],
            _ => throw new ArgumentException($"{path}: unsupported video format '{ext}' (use .mp4, .webm, .gif or .png)"),
        };
        if (ext is ".mp4" or ".webm" && (clip.Width % 2 != 0 || clip.Height % 2 != 0))
            throw new ArgumentException($"{path}: {ext} (4:2:0 video) needs an even width and height, the clip is {clip.Width}×{clip.Height}; resize it or write .gif/.png");
        double rate = fps ?? clip.Fps;
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileNameWithoutExtension(full)}.{Guid.NewGuid():N}.tmp{ext}");
        var args = new List<string> { "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", clip.Channels == 1 ? "gray" : "rgb24",
            "-s", $"{clip.Width}x{clip.Height}", "-r", rate.ToString(CultureInfo.InvariantCulture), "-i", "-" };
        args.AddRange(codec);
        args.Add(temp);
        try
        {
            var (_, error, code) = Run(FfmpegPath, args, clip.Pixels);
            if (code != 0) throw new IOException($"{path}: ffmpeg could not write it: {LastLine(error)}");
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>The frames side by side in one image (a filmstrip).</summary>
    public static Image FrameStrip(VideoClip clip)
    {
        int w = clip.Width, h = clip.Height, c = clip.Channels, stripWidth = w * clip.Frames;
        var pixels = new byte[(long)h * stripWidth * c];
        for (int t = 0; t < clip.Frames; t++)
            for (int y = 0; y < h; y++)
                clip.Pixels.AsSpan((t * h + y) * w * c, w * c).CopyTo(pixels.AsSpan((y * stripWidth + t * w) * c, w * c));
        return new Image(pixels, h, stripWidth, c);
    }

    private static void RequireFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"video file {path} does not exist", path);
    }

    private static string LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no message)" : lines[^1];
    }

    private static bool ReadFull(Stream stream, byte[] buffer)
    {
        int got = 0;
        while (got < buffer.Length)
        {
            int n = stream.Read(buffer, got, buffer.Length - got);
            if (n == 0) return false; // a partial last frame is dropped
            got += n;
        }
        return true;
    }

    private static Process Start(string tool, IEnumerable<string> args, bool stdin)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin };
        foreach (var a in args) start.ArgumentList.Add(a);
        try { return Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start"); }
        catch (Win32Exception)
        {
            throw new FileNotFoundException($"{tool} was not found on PATH; Workbench reads and writes video through ffmpeg (Debian: apt-get install ffmpeg, or bash scripts/setup.sh)");
        }
    }

    private static (string Output, string Error, int Code) Run(string tool, IEnumerable<string> args, byte[]? input)
    {
        using var p = Start(tool, args, input is not null);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            try { p.StandardInput.BaseStream.Write(input); }
            catch (IOException) { /* ffmpeg stopped reading: its error explains why */ }
            p.StandardInput.Close();
        }
        p.WaitForExit();
        return (stdout.Result, stderr.Result, p.ExitCode);
    }

    private static (string Error, int Code) RunReading(string tool, IEnumerable<string> args, Action<Stream> read)
    {
        using var p = Start(tool, args, false);
        var stderr = p.StandardError.ReadToEndAsync();
        read(p.StandardOutput.BaseStream);
        p.WaitForExit();
        return (stderr.Result, p.ExitCode);
    }
}
