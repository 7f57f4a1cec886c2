using System.Text.Json.Serialization;

namespace Workbench.Extensions.Plotly;

/// <summary>
/// A cartesian or 3D axis (<c>layout.xaxis</c>, <c>layout.yaxis2</c>, <c>scene.zaxis</c>): title, type ("log"),
/// range, where it sits (<see cref="Domain"/>, <see cref="Anchor"/>) and how it scales (<see cref="ScaleAnchor"/>
/// keeps image pixels square).
/// </summary>
public sealed record Axis
{
    [JsonPropertyName("title")] public Title? Title { get; set; }
    /// <summary>"linear", "log", "category", "date".</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("range")] public double[]? Range { get; set; }
    /// <summary>true, false or "reversed" (images and matrices: row 0 at the top).</summary>
    [JsonPropertyName("autorange")] public object? AutoRange { get; set; }
    [JsonPropertyName("domain")] public double[]? Domain { get; set; }
    [JsonPropertyName("anchor")] public string? Anchor { get; set; }
    [JsonPropertyName("scaleanchor")] public string? ScaleAnchor { get; set; }
    [JsonPropertyName("scaleratio")] public double? ScaleRatio { get; set; }
    [JsonPropertyName("constrain")] public string? Constrain { get; set; }
    [JsonPropertyName("matches")] public string? Matches { get; set; }
    [JsonPropertyName("showgrid")] public bool? ShowGrid { get; set; }
    [JsonPropertyName("zeroline")] public bool? ZeroLine { get; set; }
    [JsonPropertyName("showticklabels")] public bool? ShowTickLabels { get; set; }
    [JsonPropertyName("ticks")] public string? Ticks { get; set; }
    [JsonPropertyName("dtick")] public double? DTick { get; set; }
    [JsonPropertyName("tickvals")] public double[]? TickVals { get; set; }
    [JsonPropertyName("ticktext")] public string[]? TickText { get; set; }
    [JsonPropertyName("side")] public string? Side { get; set; }
    [JsonPropertyName("overlaying")] public string? Overlaying { get; set; }
    [JsonPropertyName("visible")] public bool? Visible { get; set; }
    [JsonPropertyName("rangemode")] public string? RangeMode { get; set; }

    [JsonExtensionData] public Dictionary<string, object?> Extra { get; set; } = [];

    public Axis Set(string attribute, object? value)
    {
        Extra[attribute] = value;
        return this;
    }

    public Axis Copy() => this with { Extra = new Dictionary<string, object?>(Extra), Domain = Domain?.ToArray(), Range = Range?.ToArray() };
}
