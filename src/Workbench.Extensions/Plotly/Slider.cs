using System.Text.Json.Serialization;

namespace Workbench.Extensions.Plotly;

/// <summary>A layout slider; with "animate" steps it scrubs through the figure's animation frames.</summary>
public sealed record Slider
{
    [JsonPropertyName("active")] public int Active { get; set; }
    [JsonPropertyName("steps")] public List<SliderStep> Steps { get; set; } = [];
    [JsonPropertyName("currentvalue")] public Dictionary<string, object?>? CurrentValue { get; set; }
    [JsonPropertyName("pad")] public Dictionary<string, double>? Pad { get; set; }
    [JsonPropertyName("x")] public double? X { get; set; }
    [JsonPropertyName("y")] public double? Y { get; set; }
    [JsonPropertyName("len")] public double? Len { get; set; }
    [JsonPropertyName("xanchor")] public string? XAnchor { get; set; }
    [JsonPropertyName("yanchor")] public string? YAnchor { get; set; }
}

/// <summary>One slider stop: a label, and the plotly.js method with its arguments (<c>"animate", [[frame], options]</c>).</summary>
public sealed record SliderStep
{
    [JsonPropertyName("label")] public string Label { get; set; } = "";
    [JsonPropertyName("method")] public string Method { get; set; } = "animate";
    [JsonPropertyName("args")] public object?[] Args { get; set; } = [];
}
