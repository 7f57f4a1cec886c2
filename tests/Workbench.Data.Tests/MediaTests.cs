using System.Diagnostics;

namespace Workbench.Data.Tests;

public class MediaTests
{
    private static VideoClip Shapes(int size = 32) => new BouncingShapes(new BouncingShapesOptions { Size = size, Motions = [MotionKind.Linear] }).Generate(2, 1);

    private static double MeanAbsDiff(byte[] a, byte[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Average();

    [Theory]
    [InlineData(".mp4", 4.0)]
    [InlineData(".webm", 4.0)]
    [InlineData(".gif", 4.0)]
    public void AClipSurvivesAWriteReadRoundTripWithinCodecTolerance(string extension, double tolerance)
    {
        using var tmp = new TempDir();
        var clip = Shapes();
        var path = tmp["clip" + extension];
        Media.WriteVideo(clip, path);
        var back = Media.ReadVideo(path);
        Assert.Equal((clip.Frames, clip.Height, clip.Width, 3), (back.Frames, back.Height, back.Width, back.Channels));
        Assert.InRange(MeanAbsDiff(clip.Pixels, back.Pixels), 0, tolerance);
        Assert.Empty(Directory.GetFiles(tmp.Path, ".*")); // no temporary file left
    }

    [Fact]
    public void ReadingResizesCropsAndStrides()
    {
        using var tmp = new TempDir();
        var clip = Shapes();
        Media.WriteVideo(clip, tmp["clip.mp4"]);
        var info = Media.Probe(tmp["clip.mp4"]);
        Assert.Equal((32, 32), (info.Width, info.Height));
        Assert.Equal(8, info.Fps, 3);
        var small = Media.ReadVideo(tmp["clip.mp4"], new VideoReadOptions { Crop = (0, 0, 16, 16), Size = (8, 8), Stride = 2, MaxFrames = 5 });
        Assert.Equal((5, 8, 8), (small.Frames, small.Height, small.Width));
        Assert.Equal(4, small.Fps, 3);
    }

    [Fact]
    public void PngRoundTripsExactlyAndAgreesWithFfmpeg()
    {
        using var tmp = new TempDir();
        var strip = Media.FrameStrip(Shapes());
        Png.Save(strip, tmp["ours.png"]);
        Assert.Equal(strip.Pixels, Png.Load(tmp["ours.png"]).Pixels);
        // ffmpeg decodes our PNG to the same bytes...
        Assert.Equal(strip.Pixels, Ffmpeg("-i", tmp["ours.png"], "-f", "rawvideo", "-pix_fmt", "rgb24", "-"));
        // ...and we decode ffmpeg's PNG (its own filters and compression) to the same bytes.
        File.WriteAllBytes(tmp["raw.rgb"], strip.Pixels);
        Ffmpeg("-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{strip.Width}x{strip.Height}", "-i", tmp["raw.rgb"], tmp["theirs.png"]);
        Assert.Equal(strip.Pixels, Png.Load(tmp["theirs.png"]).Pixels);
    }

    [Fact]
    public void CorruptPngIsReportedWithItsName()
    {
        using var tmp = new TempDir();
        var bytes = Png.Encode(new Image(new byte[12], 2, 2, 3));
        bytes[^10] ^= 0xFF; // inside the IEND/IDAT region: breaks a CRC
        File.WriteAllBytes(tmp["bad.png"], bytes);
        var e = Assert.Throws<InvalidDataException>(() => Png.Load(tmp["bad.png"]));
        Assert.Contains("bad.png", e.Message);
    }

    [Fact]
    public void BadVideosMissingFfmpegAndOddSizesGiveClearErrors()
    {
        using var tmp = new TempDir();
        File.WriteAllBytes(tmp["junk.mp4"], Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray());
        var e = Assert.Throws<InvalidDataException>(() => Media.ReadVideo(tmp["junk.mp4"]));
        Assert.Contains("junk.mp4", e.Message);

        var odd = new BouncingShapes(new BouncingShapesOptions { Size = 33 }).Generate(0, 0);
        var size = Assert.Throws<ArgumentException>(() => Media.WriteVideo(odd, tmp["odd.mp4"]));
        Assert.Contains("33×33", size.Message);
        Assert.Contains("odd.mp4", size.Message);

        var saved = Media.FfmpegPath;
        try
        {
            Media.FfmpegPath = "/nonexistent/ffmpeg";
            var missing = Assert.Throws<FileNotFoundException>(() => Media.WriteVideo(Shapes(), tmp["x.mp4"]));
            Assert.Contains("ffmpeg", missing.Message);
        }
        finally { Media.FfmpegPath = saved; }
    }

    [Fact]
    public void AVideoFolderReadsEveryVideoWithItsSidecarCaption()
    {
        using var tmp = new TempDir();
        Media.WriteVideo(Shapes(), tmp["a.mp4"]);
        Media.WriteVideo(Shapes(), tmp["b.webm"]);
        File.WriteAllText(tmp["b.txt"], "a ball moves\n");
        var folder = new VideoFolder(tmp.Path, frames: 8, width: 16, height: 16);
        Assert.Equal(2, folder.Count);
        Assert.Equal("a", folder.Get(0).Caption);
        var b = folder.Get(1);
        Assert.Equal("a ball moves", b.Caption);
        Assert.Equal((8, 16, 16), (b.Frames, b.Height, b.Width));
    }

    private static byte[] Ffmpeg(params string[] args)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-v", "error", "-y" }.Concat(args)) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        using var output = new MemoryStream();
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.BaseStream.CopyTo(output);
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, err.Result);
        return output.ToArray();
    }
}
