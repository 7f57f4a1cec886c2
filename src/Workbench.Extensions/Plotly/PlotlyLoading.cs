namespace Workbench.Extensions.Plotly;

/// <summary>How an HTML fragment gets plotly.js.</summary>
public enum PlotlyLoading
{
    /// <summary>
    /// Every fragment carries plotly.js (4.8 MB, from the npm package <c>plotly.js-dist-min</c>): self-contained and
    /// offline, what a standalone HTML file needs. The default outside notebooks.
    /// </summary>
    Inline,
    /// <summary>
    /// The first fragment rendered in this process carries plotly.js, later ones use the page's copy (falling back to
    /// <see cref="HtmlOptions.PlotlyUrl"/> when the page has none): one copy per notebook. What
    /// <see cref="WorkbenchExtension.Enable"/> picks when the npm package is there.
    /// </summary>
    InlineOnce,
    /// <summary>
    /// Never inline: use the page's <c>window.Plotly</c> (front-ends that already have it, or a page that inlined it
    /// once), else load it from <see cref="HtmlOptions.PlotlyUrl"/> (through require.js when the page has it).
    /// </summary>
    Reference,
}
