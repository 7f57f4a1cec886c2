using System.Text.Json.Serialization;

namespace Workbench.Extensions.Plotly;

/// <summary>plotly.js <c>config</c>: interaction settings that are not part of the figure's look.</summary>
public sealed record PlotConfig
{
    [JsonPropertyName("responsive")] public bool? Responsive { get; set; } = true;
    [JsonPropertyName("displaylogo")] public bool? DisplayLogo { get; set; } = false;
    /// <summary>true, false or "hover".</summary>
    [JsonPropertyName("displayModeBar")] public object? DisplayModeBar { get; set; }
    [JsonPropertyName("scrollZoom")] public bool? ScrollZoom { get; set; }
    [JsonPropertyName("staticPlot")] public bool? StaticPlot { get; set; }
}
