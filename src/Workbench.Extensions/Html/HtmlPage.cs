using System.Text;
using Workbench.Extensions.Plotly;

namespace Workbench.Extensions;

/// <summary>
/// A standalone HTML document of views: plotly.js inlined once in the head (so it opens offline), each view below
/// with an optional heading. What the notebook runner's HTML export and the browser tests build on.
/// </summary>
public sealed class HtmlPage(string title = "Workbench")
{
    private readonly List<(string? Heading, IHtmlView View)> _views = [];

    public string Title { get; } = title;
    public IReadOnlyList<(string? Heading, IHtmlView View)> Views => _views;

    public HtmlPage Add(IHtmlView view, string? heading = null)
    {
        _views.Add((heading, view));
        return this;
    }

    /// <summary>
    /// The document. With <see cref="PlotlyLoading.Reference"/> in <paramref name="options"/> plotly.js is loaded from
    /// the URL instead of inlined.
    /// </summary>
    public string ToHtml(HtmlOptions? options = null)
    {
        options ??= HtmlOptions.Standalone;
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
          .Append(Html.Encode(Title)).Append("</title>\n");
        if (options.Plotly != PlotlyLoading.Reference) sb.Append(PlotlyJs.InlineScript());
        sb.Append(PlotlyJs.LoaderScript(options.PlotlyUrl));
        sb.Append("</head>\n<body style=\"margin:16px\">\n");
        var inner = options with { Plotly = PlotlyLoading.Reference };
        foreach (var (heading, view) in _views)
        {
            sb.Append("<section class=\"wb-section\">\n");
            if (heading is not null) sb.Append("<h3>").Append(Html.Encode(heading)).Append("</h3>\n");
            sb.Append(view.ToHtml(inner)).Append("\n</section>\n");
        }
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>Writes the document (to a temporary name, then renamed).</summary>
    public void Save(string path, HtmlOptions? options = null)
    {
        AtomicFile.WriteAllText(path, ToHtml(options));
    }
}
