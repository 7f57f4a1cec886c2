using System.Text.Json.Serialization;

namespace Workbench.Extensions.Plotly;

/// <summary>A row of buttons (<c>layout.updatemenus</c>): play and pause for animations.</summary>
public sealed record UpdateMenu
{
    [JsonPropertyName("type")] public string Type { get; set; } = "buttons";
    [JsonPropertyName("direction")] public string? Direction { get; set; }
    [JsonPropertyName("showactive")] public bool? ShowActive { get; set; }
    [JsonPropertyName("x")] public double? X { get; set; }
    [JsonPropertyName("y")] public double? Y { get; set; }
    [JsonPropertyName("xanchor")] public string? XAnchor { get; set; }
    [JsonPropertyName("yanchor")] public string? YAnchor { get; set; }
    [JsonPropertyName("pad")] public Dictionary<string, double>? Pad { get; set; }
    [JsonPropertyName("buttons")] public List<MenuButton> Buttons { get; set; } = [];
}

/// <summary>A button: a label and the plotly.js method it calls with its arguments.</summary>
public sealed record MenuButton
{
    [JsonPropertyName("label")] public string Label { get; set; } = "";
    [JsonPropertyName("method")] public string Method { get; set; } = "animate";
    [JsonPropertyName("args")] public object?[] Args { get; set; } = [];
}
