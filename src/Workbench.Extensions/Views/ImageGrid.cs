using System.Text;
using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Extensions;

/// <summary>
/// Pictures in a grid with labels (torchvision's make_grid, as HTML): PNG images with square pixels. From a batch
/// of image tensors, a clip's frames, or images.
/// </summary>
public sealed class ImageGrid : HtmlView
{
    private readonly List<(Image Image, string Label)> _items;

    public ImageGrid(IEnumerable<Image> images, IEnumerable<string>? labels = null)
    {
        var list = images.ToList();
        var names = labels?.ToList() ?? [];
        _items = list.Select((im, i) => (im, i < names.Count ? names[i] : "")).ToList();
        if (_items.Count == 0) throw new ArgumentException("an image grid needs at least one image", nameof(images));
    }

    /// <summary>
    /// Images from (N, C, H, W), (C, H, W) or (H, W), C = 1 or 3; a rank-3 tensor whose first size is not 1 or 3 is
    /// N grey images. Values map from <paramref name="range"/>, or from the batch's min..max when null.
    /// </summary>
    public static ImageGrid FromTensor(Tensor images, (double Min, double Max)? range = null, IEnumerable<string>? labels = null)
    {
        var (values, shape) = TensorImages.Read(images);
        long[] nchw = shape.Length switch
        {
            2 => [1, 1, shape[0], shape[1]],
            3 when shape[0] is 1 or 3 => [1, shape[0], shape[1], shape[2]],
            3 => [shape[0], 1, shape[1], shape[2]],
            4 when shape[1] is 1 or 3 => shape,
            _ => throw new ArgumentException($"images are (N, C, H, W), (C, H, W) or (H, W) with C = 1 or 3, got {Tensor.FormatShape(shape)}; show latents with LatentChannels", nameof(images)),
        };
        int n = (int)nchw[0], c = (int)nchw[1], h = (int)nchw[2], w = (int)nchw[3];
        var (lo, hi) = range ?? TensorImages.MinMax(values);
        var list = new List<Image>(n);
        for (int i = 0; i < n; i++)
        {
            var pixels = new byte[h * w * c];
            int offset = i * c * h * w;
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < h * w; p++)
                    pixels[p * c + ch] = TensorImages.ToByte(values[offset + ch * h * w + p], lo, hi);
            list.Add(new Image(pixels, h, w, c));
        }
        return new ImageGrid(list, labels);
    }

    /// <summary>A clip's frames, labelled t = 0, 1, ...</summary>
    public static ImageGrid FromClip(VideoClip clip) =>
        new(Enumerable.Range(0, clip.Frames).Select(t => TensorImages.Frame(clip, t)), Enumerable.Range(0, clip.Frames).Select(t => $"t = {t}"))
        { Columns = Math.Min(clip.Frames, 10) };

    public IReadOnlyList<(Image Image, string Label)> Items => _items;
    public string? Title { get; init; }
    public int Columns { get; init; } = 8;
    /// <summary>Screen pixels per image pixel; by default the larger side is shown at about 96 px.</summary>
    public int? Scale { get; init; }

    public override string ToHtml(HtmlOptions options)
    {
        var sb = new StringBuilder(Html.Style);
        sb.Append("<div class=\"wb-view wb-image-grid\">");
        if (Title is not null) sb.Append("<div class=\"wb-title\">").Append(Html.Encode(Title)).Append("</div>");
        sb.Append("<div style=\"display:grid;grid-template-columns:repeat(").Append(Math.Max(1, Math.Min(Columns, _items.Count)))
          .Append(",max-content);gap:6px\">\n");
        foreach (var (image, label) in _items)
        {
            int scale = Scale ?? Math.Max(1, (int)Math.Round(96.0 / Math.Max(image.Height, image.Width)));
            sb.Append("<figure><img src=\"").Append(Html.PngDataUri(image)).Append("\" width=\"").Append(image.Width * scale)
              .Append("\" height=\"").Append(image.Height * scale).Append("\" alt=\"").Append(Html.Encode(label)).Append("\">");
            if (label.Length > 0) sb.Append("<figcaption>").Append(Html.Encode(label)).Append("</figcaption>");
            sb.Append("</figure>\n");
        }
        sb.Append("</div></div>");
        return sb.ToString();
    }
}
