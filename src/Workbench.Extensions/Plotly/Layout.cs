using System.Text.Json.Serialization;

namespace Workbench.Extensions.Plotly;

/// <summary>
/// plotly.js <c>layout</c>: title, size, margins, legend, shapes, annotations, sliders and buttons, and the axes and
/// scenes. Axis n is <c>xaxis</c> (n = 1), <c>xaxis2</c>, ...; read and write them with <see cref="XAxis(int)"/>,
/// <see cref="SetXAxis"/> and friends (they are stored under those names in <see cref="Extra"/>).
/// </summary>
public sealed record Layout
{
    [JsonPropertyName("title")] public Title? Title { get; set; }
    [JsonPropertyName("width")] public int? Width { get; set; }
    [JsonPropertyName("height")] public int? Height { get; set; }
    [JsonPropertyName("autosize")] public bool? AutoSize { get; set; }
    [JsonPropertyName("margin")] public Margin? Margin { get; set; }
    [JsonPropertyName("showlegend")] public bool? ShowLegend { get; set; }
    [JsonPropertyName("legend")] public Dictionary<string, object?>? Legend { get; set; }
    /// <summary>"closest", "x", "x unified", false.</summary>
    [JsonPropertyName("hovermode")] public object? HoverMode { get; set; }
    [JsonPropertyName("font")] public Font? Font { get; set; }
    [JsonPropertyName("paper_bgcolor")] public string? PaperBackground { get; set; }
    [JsonPropertyName("plot_bgcolor")] public string? PlotBackground { get; set; }
    [JsonPropertyName("annotations")] public List<Annotation>? Annotations { get; set; }
    [JsonPropertyName("shapes")] public List<Shape>? Shapes { get; set; }
    [JsonPropertyName("sliders")] public List<Slider>? Sliders { get; set; }
    [JsonPropertyName("updatemenus")] public List<UpdateMenu>? UpdateMenus { get; set; }

    /// <summary>Axes (<c>xaxis</c>, <c>yaxis3</c>), scenes (<c>scene2</c>) and any other attribute by its schema name.</summary>
    [JsonExtensionData] public Dictionary<string, object?> Extra { get; set; } = [];

    public Layout Set(string attribute, object? value)
    {
        Extra[attribute] = value;
        return this;
    }

    /// <summary>"xaxis" for n = 1, "xaxis2" for n = 2 (the layout key); <see cref="AxisRef"/> gives the trace's reference ("x", "x2").</summary>
    public static string AxisKey(char letter, int n) => n <= 1 ? $"{letter}axis" : $"{letter}axis{n}";
    public static string AxisRef(char letter, int n) => n <= 1 ? $"{letter}" : $"{letter}{n}";
    public static string SceneKey(int n) => n <= 1 ? "scene" : $"scene{n}";

    public Axis? XAxis(int n = 1) => Extra.GetValueOrDefault(AxisKey('x', n)) as Axis;
    public Axis? YAxis(int n = 1) => Extra.GetValueOrDefault(AxisKey('y', n)) as Axis;
    public Scene? Scene(int n = 1) => Extra.GetValueOrDefault(SceneKey(n)) as Scene;
    public Layout SetXAxis(int n, Axis axis) => Set(AxisKey('x', n), axis);
    public Layout SetYAxis(int n, Axis axis) => Set(AxisKey('y', n), axis);
    public Layout SetScene(int n, Scene scene) => Set(SceneKey(n), scene);

    /// <summary>The x axis n, created when absent (so <c>layout.XAxisOrNew(1).Title = "step"</c> works).</summary>
    public Axis XAxisOrNew(int n = 1) => XAxis(n) ?? (Axis)(Extra[AxisKey('x', n)] = new Axis())!;
    public Axis YAxisOrNew(int n = 1) => YAxis(n) ?? (Axis)(Extra[AxisKey('y', n)] = new Axis())!;

    public Layout AddShape(Shape shape) { (Shapes ??= []).Add(shape); return this; }
    public Layout AddAnnotation(Annotation annotation) { (Annotations ??= []).Add(annotation); return this; }

    /// <summary>A copy with its own lists, dictionary and axes (records copy references).</summary>
    public Layout Copy() => this with
    {
        Extra = Extra.ToDictionary(kv => kv.Key, kv => kv.Value is Axis a ? a.Copy() : kv.Value is Scene s ? s with { } : kv.Value),
        Annotations = Annotations?.Select(a => a with { }).ToList(),
        Shapes = Shapes?.Select(s => s with { }).ToList(),
        Sliders = Sliders?.ToList(),
        UpdateMenus = UpdateMenus?.ToList(),
    };
}
