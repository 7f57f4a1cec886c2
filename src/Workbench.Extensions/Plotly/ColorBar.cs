using System.Text.Json.Serialization;

namespace Workbench.Extensions.Plotly;

/// <summary>A colour bar: title, and where it sits (x, y, len in paper fractions).</summary>
public sealed record ColorBar
{
    [JsonPropertyName("title")] public Title? Title { get; set; }
    [JsonPropertyName("x")] public double? X { get; set; }
    [JsonPropertyName("xanchor")] public string? XAnchor { get; set; }
    [JsonPropertyName("y")] public double? Y { get; set; }
    [JsonPropertyName("len")] public double? Len { get; set; }
    [JsonPropertyName("thickness")] public double? Thickness { get; set; }
}
