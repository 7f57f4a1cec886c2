using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Workbench.Data;

namespace Workbench.Extensions;

/// <summary>Small HTML helpers shared by the views.</summary>
internal static class Html
{
    /// <summary>A fresh element id ("wb" + 8 hex digits), so several views can share a page.</summary>
    public static string NewId() => "wb" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();

    /// <summary>Escapes &amp; &lt; &gt; " ' (text stays readable: the pages are UTF-8, so other characters need no entities).</summary>
    public static string Encode(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new System.Text.StringBuilder(text.Length + 8);
        foreach (var ch in text)
            sb.Append(ch switch { '&' => "&amp;", '<' => "&lt;", '>' => "&gt;", '"' => "&quot;", '\'' => "&#39;", _ => ch.ToString() });
        return sb.ToString();
    }

    /// <summary>A JavaScript string literal (JSON), safe inside a &lt;script&gt; element.</summary>
    public static string Js(string text) => JsonSerializer.Serialize(text);

    /// <summary>A number as JavaScript/CSS reads it (invariant culture, shortest round-trip).</summary>
    public static string Num(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string PngDataUri(Image image) => "data:image/png;base64," + Convert.ToBase64String(Png.Encode(image));

    public const string Style =
        "<style>.wb-view{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:13px;color:#222;margin:4px 0}" +
        ".wb-view figure{margin:0;display:inline-block;text-align:center}.wb-view figcaption{font-size:12px;color:#555;max-width:100%}" +
        ".wb-view img,.wb-view canvas{image-rendering:pixelated;image-rendering:crisp-edges}" +
        ".wb-controls{display:flex;align-items:center;gap:8px;margin-top:6px;flex-wrap:wrap}" +
        ".wb-controls input[type=range]{flex:1;min-width:120px}.wb-controls input[type=number]{width:4em}" +
        ".wb-title{font-weight:600;margin-bottom:4px}</style>\n";
}
