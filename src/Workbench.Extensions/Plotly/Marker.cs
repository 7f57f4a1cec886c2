using System.Text.Json.Serialization;

namespace Workbench.Extensions.Plotly;

/// <summary>A trace's <c>marker</c>: colour (one, or an array mapped through the colour scale), size, symbol.</summary>
public sealed record Marker
{
    [JsonPropertyName("color")] public object? Color { get; set; }
    [JsonPropertyName("size")] public object? Size { get; set; }
    [JsonPropertyName("symbol")] public string? Symbol { get; set; }
    [JsonPropertyName("opacity")] public double? Opacity { get; set; }
    [JsonPropertyName("colorscale")] public object? Colorscale { get; set; }
    [JsonPropertyName("cmin")] public double? CMin { get; set; }
    [JsonPropertyName("cmax")] public double? CMax { get; set; }
    [JsonPropertyName("showscale")] public bool? ShowScale { get; set; }
    [JsonPropertyName("colorbar")] public ColorBar? ColorBar { get; set; }
    [JsonPropertyName("line")] public Line? Line { get; set; }
}
