using System.Text.Json.Serialization;

namespace Workbench.Extensions.Plotly;

/// <summary>A layout shape: a "rect", "line" or "circle" in axis (<c>x2</c>, <c>y2</c>) or paper coordinates.</summary>
public sealed record Shape
{
    [JsonPropertyName("type")] public string Type { get; set; } = "rect";
    [JsonPropertyName("xref")] public string? XRef { get; set; }
    [JsonPropertyName("yref")] public string? YRef { get; set; }
    [JsonPropertyName("x0")] public double X0 { get; set; }
    [JsonPropertyName("y0")] public double Y0 { get; set; }
    [JsonPropertyName("x1")] public double X1 { get; set; }
    [JsonPropertyName("y1")] public double Y1 { get; set; }
    [JsonPropertyName("line")] public Line? Line { get; set; }
    [JsonPropertyName("fillcolor")] public string? FillColor { get; set; }
    [JsonPropertyName("opacity")] public double? Opacity { get; set; }
    /// <summary>"above" or "below" the traces.</summary>
    [JsonPropertyName("layer")] public string? Layer { get; set; }
}
