using Workbench.Torch;

namespace Workbench.Data;

/// <summary>
/// A clip as bytes: frames × height × width × channels (row-major, 0-255), the layout of video files,
/// with its caption and, for generated data, each object's per-frame ground truth.
/// </summary>
public sealed record VideoClip(byte[] Pixels, int Frames, int Height, int Width, int Channels)
{
    public string Caption { get; init; } = "";
    public IReadOnlyList<ObjectTrack> Objects { get; init; } = [];
    public double Fps { get; init; } = 8;

    public int FrameBytes => Height * Width * Channels;

    public static VideoClip Blank(int frames, int height, int width, int channels)
    {
        if (frames <= 0 || height <= 0 || width <= 0 || channels is not (1 or 3))
            throw new ArgumentException($"a clip needs frames, height and width > 0 and 1 or 3 channels, got {frames}×{height}×{width}×{channels}");
        return new VideoClip(new byte[(long)frames * height * width * channels], frames, height, width, channels);
    }

    public Span<byte> Frame(int t) => Pixels.AsSpan(t * FrameBytes, FrameBytes);

    /// <summary>The clip as a float tensor (C, T, H, W) scaled to [-1, 1], the models' input convention.</summary>
    public Tensor ToTensor(Device? device = null)
    {
        using var scope = DisposeScope.Enter();
        var bytes = Tensor.From(Pixels, [Frames, Height, Width, Channels]);
        var video = bytes.To(DType.Float32).Div(127.5).Sub(1).Permute(3, 0, 1, 2).Contiguous(); // (C, T, H, W)
        return scope.Keep(device is { } d && d != Device.Cpu ? video.To(d) : video);
    }
}

/// <summary>One object's ground truth: what it is, and where it is, how fast it moves and whether it can be seen, per frame.</summary>
public sealed record ObjectTrack(string Shape, string Color, int Label)
{
    /// <summary>Centre (x, y) in pixels; x to the right, y down.</summary>
    public required (double X, double Y)[] Position { get; init; }
    /// <summary>Velocity in pixels per frame.</summary>
    public required (double X, double Y)[] Velocity { get; init; }
    /// <summary>False where the object is entirely hidden (behind the occluder).</summary>
    public required bool[] Visible { get; init; }
    /// <summary>True where the object hit a wall or the floor between the previous frame and this one.</summary>
    public required bool[] Bounced { get; init; }
    /// <summary>Half-size in pixels (a ball's radius).</summary>
    public double Radius { get; init; }
    public string Motion { get; init; } = "";
    /// <summary>Which source image the object is (an MNIST digit's index), or -1.</summary>
    public int Source { get; init; } = -1;
}
