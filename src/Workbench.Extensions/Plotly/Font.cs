using System.Text.Json.Serialization;

namespace Workbench.Extensions.Plotly;

/// <summary>A font: size in px, colour, family.</summary>
public sealed record Font
{
    [JsonPropertyName("size")] public double? Size { get; set; }
    [JsonPropertyName("color")] public string? Color { get; set; }
    [JsonPropertyName("family")] public string? Family { get; set; }
}
