using System.Text.Json.Serialization;

namespace Workbench.Extensions.Plotly;

/// <summary>
/// One plotly.js trace (<c>data[i]</c> of a figure): the attributes Workbench's views use, named and typed as in
/// the plotly.js schema (https://plotly.com/javascript/reference/). Data arrays are plain .NET arrays (double[],
/// float[], string[], jagged arrays for z); anything else goes through <see cref="Set"/>. Null attributes are left
/// out, so plotly.js applies its defaults. This stands in for Plotly.NET's trace objects, which the feed lacks.
/// </summary>
public sealed record Trace
{
    public Trace(string type) => Type = type;

    [JsonPropertyName("type")] public string Type { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("x")] public object? X { get; set; }
    [JsonPropertyName("y")] public object? Y { get; set; }
    [JsonPropertyName("z")] public object? Z { get; set; }
    [JsonPropertyName("text")] public object? Text { get; set; }
    [JsonPropertyName("mode")] public string? Mode { get; set; }
    [JsonPropertyName("marker")] public Marker? Marker { get; set; }
    [JsonPropertyName("line")] public Line? Line { get; set; }
    [JsonPropertyName("fill")] public string? Fill { get; set; }
    [JsonPropertyName("orientation")] public string? Orientation { get; set; }
    [JsonPropertyName("colorscale")] public object? Colorscale { get; set; }
    [JsonPropertyName("reversescale")] public bool? ReverseScale { get; set; }
    [JsonPropertyName("zmin")] public double? ZMin { get; set; }
    [JsonPropertyName("zmax")] public double? ZMax { get; set; }
    [JsonPropertyName("zmid")] public double? ZMid { get; set; }
    [JsonPropertyName("showscale")] public bool? ShowScale { get; set; }
    [JsonPropertyName("colorbar")] public ColorBar? ColorBar { get; set; }
    /// <summary>Image traces: a data URI (PNG) as the picture.</summary>
    [JsonPropertyName("source")] public string? Source { get; set; }
    [JsonPropertyName("xaxis")] public string? XAxis { get; set; }
    [JsonPropertyName("yaxis")] public string? YAxis { get; set; }
    /// <summary>3D traces: which scene ("scene", "scene2", ...).</summary>
    [JsonPropertyName("scene")] public string? Scene { get; set; }
    [JsonPropertyName("hovertemplate")] public string? HoverTemplate { get; set; }
    [JsonPropertyName("hoverinfo")] public string? HoverInfo { get; set; }
    [JsonPropertyName("opacity")] public double? Opacity { get; set; }
    [JsonPropertyName("showlegend")] public bool? ShowLegend { get; set; }
    [JsonPropertyName("legendgroup")] public string? LegendGroup { get; set; }
    [JsonPropertyName("connectgaps")] public bool? ConnectGaps { get; set; }
    [JsonPropertyName("xgap")] public double? XGap { get; set; }
    [JsonPropertyName("ygap")] public double? YGap { get; set; }

    /// <summary>Attributes without a property here (<c>Set("surfacecolor", ...)</c>), written as they are.</summary>
    [JsonExtensionData] public Dictionary<string, object?> Extra { get; set; } = [];

    /// <summary>Sets any plotly.js attribute by its schema name; returns this trace.</summary>
    public Trace Set(string attribute, object? value)
    {
        Extra[attribute] = value;
        return this;
    }

    /// <summary>True for the trace types that live in a 3D scene rather than on x/y axes.</summary>
    [JsonIgnore] public bool Is3d => Type is "surface" or "scatter3d" or "mesh3d" or "volume" or "isosurface" or "cone" or "streamtube";

    /// <summary>A copy whose <see cref="Extra"/> dictionary is its own (records copy references).</summary>
    public Trace Copy() => this with { Extra = new Dictionary<string, object?>(Extra) };
}
