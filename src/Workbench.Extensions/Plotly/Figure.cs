using System.Text;

namespace Workbench.Extensions.Plotly;

/// <summary>
/// A plotly.js figure: traces, layout, animation frames and config, serialised with System.Text.Json into the JSON
/// that <c>Plotly.newPlot(div, figure)</c> takes. Build one with <see cref="Chart"/>'s builders (in the spirit of
/// Plotly.NET, which the feed lacks) and the <c>With...</c> methods, or set the properties directly.
/// </summary>
public sealed class Figure : HtmlView
{
    public Figure() { }
    public Figure(IEnumerable<Trace> traces) => Data = traces.ToList();

    public List<Trace> Data { get; set; } = [];
    public Layout Layout { get; set; } = new();
    public List<Frame>? Frames { get; set; }
    public PlotConfig Config { get; set; } = new();

    /// <summary>Height of the element when the layout gives none, in px.</summary>
    public const int DefaultHeight = 420;

    /// <summary>The figure as plotly.js JSON: <c>{"data":[...],"layout":{...},"frames":[...],"config":{...}}</c>.</summary>
    public string ToJson() => PlotlyJson.Serialize(new FigureJson(Data, Layout, Frames, Config));

    private sealed record FigureJson(
        [property: System.Text.Json.Serialization.JsonPropertyName("data")] List<Trace> Data,
        [property: System.Text.Json.Serialization.JsonPropertyName("layout")] Layout Layout,
        [property: System.Text.Json.Serialization.JsonPropertyName("frames")] List<Frame>? Frames,
        [property: System.Text.Json.Serialization.JsonPropertyName("config")] PlotConfig Config);

    public override string ToHtml(HtmlOptions options) => ToHtml(options, Html.NewId(), afterPlot: null);

    /// <summary>
    /// The figure in a &lt;div id="<paramref name="id"/>"&gt;, plotted once plotly.js is there; <paramref name="afterPlot"/>
    /// is JavaScript run after plotting with <c>gd</c> (the plot element) and <c>Plotly</c> in scope.
    /// </summary>
    internal string ToHtml(HtmlOptions options, string id, string? afterPlot)
    {
        var width = Layout.Width is { } w ? $"{w}px" : "100%";
        var height = Layout.Height ?? DefaultHeight;
        var sb = new StringBuilder();
        sb.Append(PlotlyJs.Scripts(options));
        sb.Append("<div class=\"wb-view wb-figure\"><div id=\"").Append(id).Append("\" style=\"width:").Append(width)
          .Append(";height:").Append(height).Append("px\"></div></div>\n");
        sb.Append("<script>wbPlotly(function(Plotly){var gd=document.getElementById(").Append(Html.Js(id)).Append(");")
          .Append("Plotly.newPlot(gd,").Append(ToJson()).Append(").then(function(){gd.setAttribute('data-plotted','1');")
          .Append(afterPlot ?? "").Append("});});</script>");
        return sb.ToString();
    }

    // ---- fluent setters (each returns this figure) ----

    public Figure WithTitle(string title)
    {
        Layout.Title = new Title(title);
        return this;
    }

    public Figure WithSize(int? width, int? height)
    {
        Layout.Width = width;
        Layout.Height = height;
        return this;
    }

    /// <summary>Title and scale ("linear" or "log") of x axis <paramref name="n"/>.</summary>
    public Figure WithXAxis(string? title = null, bool log = false, int n = 1)
    {
        var axis = Layout.XAxisOrNew(n);
        if (title is not null) axis.Title = new Title(title);
        if (log) axis.Type = "log";
        return this;
    }

    public Figure WithYAxis(string? title = null, bool log = false, int n = 1)
    {
        var axis = Layout.YAxisOrNew(n);
        if (title is not null) axis.Title = new Title(title);
        if (log) axis.Type = "log";
        return this;
    }

    public Figure WithLegend(bool show)
    {
        Layout.ShowLegend = show;
        return this;
    }

    public Figure WithMargin(double left, double right, double top, double bottom)
    {
        Layout.Margin = new Margin(left, right, top, bottom);
        return this;
    }

    public Figure AddTrace(Trace trace)
    {
        Data.Add(trace);
        return this;
    }

    /// <summary>A copy with its own traces, layout and frames.</summary>
    public Figure Copy() => new()
    {
        Data = Data.Select(t => t.Copy()).ToList(),
        Layout = Layout.Copy(),
        Frames = Frames?.Select(f => f with { Data = f.Data.Select(t => t.Copy()).ToList() }).ToList(),
        Config = Config with { },
    };
}
