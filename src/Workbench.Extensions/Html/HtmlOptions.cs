using Workbench.Extensions.Plotly;

namespace Workbench.Extensions;

/// <summary>How views render: where plotly.js comes from.</summary>
public sealed record HtmlOptions
{
    public PlotlyLoading Plotly { get; init; } = PlotlyLoading.Inline;
    /// <summary>Where <see cref="PlotlyLoading.Reference"/> loads plotly.js from when the page has none.</summary>
    public string PlotlyUrl { get; init; } = PlotlyJs.DefaultUrl;

    /// <summary>
    /// What parameterless <c>ToHtml()</c> and the formatters use: <see cref="PlotlyLoading.Inline"/> until
    /// <see cref="WorkbenchExtension.Enable"/> sets it.
    /// </summary>
    public static HtmlOptions Default { get; set; } = new();

    /// <summary>Self-contained fragments (plotly.js in each).</summary>
    public static HtmlOptions Standalone => new() { Plotly = PlotlyLoading.Inline };

    /// <summary>Fragments that use the page's plotly.js (or the URL).</summary>
    public static HtmlOptions Referenced => new() { Plotly = PlotlyLoading.Reference };
}
