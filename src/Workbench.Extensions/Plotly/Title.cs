using System.Text.Json.Serialization;

namespace Workbench.Extensions.Plotly;

/// <summary>A title (of the figure, an axis, a colour bar). plotly.js takes its text as a small HTML subset (&lt;b&gt;, &lt;br&gt;, &lt;sub&gt;).</summary>
public sealed record Title
{
    public Title() { }
    public Title(string text) => Text = text;

    [JsonPropertyName("text")] public string? Text { get; set; }
    [JsonPropertyName("font")] public Font? Font { get; set; }
    [JsonPropertyName("x")] public double? X { get; set; }
    [JsonPropertyName("xanchor")] public string? XAnchor { get; set; }

    public static implicit operator Title(string text) => new(text);
}
