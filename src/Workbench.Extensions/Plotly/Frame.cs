using System.Text.Json.Serialization;

namespace Workbench.Extensions.Plotly;

/// <summary>
/// An animation frame (plotly.js <c>frames[i]</c>): new data for the traces listed in <see cref="Traces"/> (all,
/// in order, when null) and optionally a partial layout (a new title). Plotly.NET has no frames; plotly.js animates
/// between them with <c>Plotly.animate</c>, driven by a slider and play/pause buttons (see <see cref="Chart.Animate"/>).
/// </summary>
public sealed record Frame
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("data")] public List<Trace> Data { get; set; } = [];
    [JsonPropertyName("traces")] public int[]? Traces { get; set; }
    [JsonPropertyName("layout")] public Layout? Layout { get; set; }
}
