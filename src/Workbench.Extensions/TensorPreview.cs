using System.Net;
using Workbench.Torch;

namespace Workbench.Extensions;

/// <summary>
/// A tensor's summary as HTML: shape, dtype, device, and the values preview (large dims elided as
/// PyTorch does). Any front-end that calls a public <c>ToHtml()</c> renders it (see DESIGN.md, Notebooks).
/// </summary>
public sealed class TensorPreview(Tensor tensor) : HtmlView
{
    public override string ToHtml(HtmlOptions options)
    {
        var text = tensor.ToString();
        int newline = text.IndexOf('\n');
        var header = newline < 0 ? text : text[..newline];
        var values = newline < 0 ? "" : text[(newline + 1)..];
        return "<div class=\"wb-tensor\">" +
               $"<div style=\"font-family:monospace;font-weight:bold\">{WebUtility.HtmlEncode(header)}</div>" +
               (values.Length > 0 ? $"<pre style=\"margin:4px 0\">{WebUtility.HtmlEncode(values)}</pre>" : "") +
               "</div>";
    }
}
