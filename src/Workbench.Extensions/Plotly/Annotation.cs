using System.Text.Json.Serialization;

namespace Workbench.Extensions.Plotly;

/// <summary>A text annotation (subplot titles are annotations in paper coordinates, as in plotly's make_subplots).</summary>
public sealed record Annotation
{
    [JsonPropertyName("text")] public string Text { get; set; } = "";
    [JsonPropertyName("x")] public double X { get; set; }
    [JsonPropertyName("y")] public double Y { get; set; }
    [JsonPropertyName("xref")] public string? XRef { get; set; }
    [JsonPropertyName("yref")] public string? YRef { get; set; }
    [JsonPropertyName("xanchor")] public string? XAnchor { get; set; }
    [JsonPropertyName("yanchor")] public string? YAnchor { get; set; }
    [JsonPropertyName("showarrow")] public bool? ShowArrow { get; set; }
    [JsonPropertyName("font")] public Font? Font { get; set; }
}
