using System.Text.Json.Serialization;

namespace Workbench.Extensions.Plotly;

/// <summary>Figure margins in px.</summary>
public sealed record Margin(
    [property: JsonPropertyName("l")] double L,
    [property: JsonPropertyName("r")] double R,
    [property: JsonPropertyName("t")] double T,
    [property: JsonPropertyName("b")] double B);
