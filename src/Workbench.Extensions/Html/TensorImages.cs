using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Extensions;

/// <summary>
/// Tensors to pictures for display: values mapped linearly from a range to 0-255 (clamped: a display, not a
/// computation), channels 1 (grey) or 3 (RGB). The views call these; they are public for notebooks too.
/// </summary>
public static class TensorImages
{
    /// <summary>The models' convention for pixels: [-1, 1].</summary>
    public static readonly (double Min, double Max) PixelRange = (-1, 1);

    /// <summary>The values (row-major, float32, on the CPU) and shape of a tensor.</summary>
    public static (float[] Values, long[] Shape) Read(Tensor tensor)
    {
        using var scope = DisposeScope.Enter();
        var cpu = tensor.Detach().To(DType.Float32, Device.Cpu).Contiguous();
        return (cpu.ToArray<float>(), tensor.Shape);
    }

    /// <summary>
    /// A picture from (H, W) or (C, H, W) with C = 1 or 3 (a leading batch of 1 is dropped). Values map from
    /// <paramref name="range"/>, or from the tensor's min..max when null.
    /// </summary>
    public static Image ToImage(Tensor image, (double Min, double Max)? range = null)
    {
        var (values, shape) = Read(image);
        if (shape.Length == 4 && shape[0] == 1) shape = shape[1..];
        if (shape.Length == 2) shape = [1, shape[0], shape[1]];
        if (shape.Length != 3 || shape[0] is not (1 or 3))
            throw new ArgumentException($"an image tensor is (H, W) or (C, H, W) with C = 1 or 3, got {Tensor.FormatShape(image.Shape)}", nameof(image));
        int c = (int)shape[0], h = (int)shape[1], w = (int)shape[2];
        var (lo, hi) = range ?? MinMax(values);
        var pixels = new byte[h * w * c];
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < h * w; i++)
                pixels[i * c + ch] = ToByte(values[ch * h * w + i], lo, hi);
        return new Image(pixels, h, w, c);
    }

    /// <summary>
    /// A clip from a video tensor (C, T, H, W) or (1, C, T, H, W), C = 1 or 3, or grey (T, H, W). Values map from
    /// <paramref name="range"/>, by default [-1, 1] (the models' pixels), or from the tensor's own min..max with
    /// <paramref name="autoRange"/>.
    /// </summary>
    public static VideoClip ToClip(Tensor video, (double Min, double Max)? range = null, bool autoRange = false, double fps = 8, string caption = "")
    {
        var (values, shape) = Read(video);
        if (shape.Length == 5 && shape[0] == 1) shape = shape[1..];
        if (shape.Length == 3) shape = [1, .. shape];
        if (shape.Length != 4 || shape[0] is not (1 or 3))
            throw new ArgumentException($"a video tensor is (C, T, H, W) or (1, C, T, H, W) with C = 1 or 3, or (T, H, W), got {Tensor.FormatShape(video.Shape)}", nameof(video));
        int c = (int)shape[0], t = (int)shape[1], h = (int)shape[2], w = (int)shape[3];
        var (lo, hi) = autoRange ? MinMax(values) : range ?? PixelRange;
        var clip = VideoClip.Blank(t, h, w, c) with { Fps = fps, Caption = caption };
        long plane = (long)t * h * w;
        for (int ch = 0; ch < c; ch++)
            for (long i = 0; i < plane; i++)
                clip.Pixels[i * c + ch] = ToByte(values[ch * plane + i], lo, hi);
        return clip;
    }

    /// <summary>Frame <paramref name="t"/> of a clip as a picture.</summary>
    public static Image Frame(VideoClip clip, int t) => new(clip.Frame(t).ToArray(), clip.Height, clip.Width, clip.Channels);

    /// <summary>Smallest and largest finite value (-1, 1 when there are none; a constant c gives c - 1, c + 1).</summary>
    public static (double Min, double Max) MinMax(ReadOnlySpan<float> values)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var v in values)
            if (float.IsFinite(v)) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        if (lo > hi) return (-1, 1);
        return lo == hi ? (lo - 1, hi + 1) : (lo, hi);
    }

    public static byte ToByte(double value, double min, double max)
    {
        if (!double.IsFinite(value)) return 0;
        double scaled = (value - min) / (max - min) * 255;
        return (byte)Math.Clamp(Math.Round(scaled), 0, 255);
    }
}
