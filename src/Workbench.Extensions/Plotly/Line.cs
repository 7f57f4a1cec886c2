using System.Text.Json.Serialization;

namespace Workbench.Extensions.Plotly;

/// <summary>A <c>line</c> attribute (of a trace, a marker or a shape): colour, width, dash ("dash", "dot", ...).</summary>
public sealed record Line
{
    [JsonPropertyName("color")] public string? Color { get; set; }
    [JsonPropertyName("width")] public double? Width { get; set; }
    [JsonPropertyName("dash")] public string? Dash { get; set; }
    [JsonPropertyName("shape")] public string? Shape { get; set; }
}
