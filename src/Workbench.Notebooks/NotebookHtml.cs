using System.Net;
using System.Text;
using Workbench.Extensions;
using Workbench.Extensions.Plotly;

namespace Workbench.Notebooks;

/// <summary>
/// A notebook as one standalone HTML page: Markdown cells rendered, code cells with their source and outputs (HTML
/// outputs as they are, so views draw and play), plotly.js inlined once in the head when an output plots (the views
/// then use the page's copy), so the page opens offline. Cells after a failing one are shown as not run.
/// </summary>
public static class NotebookHtml
{
    /// <param name="options"><see cref="PlotlyLoading.Reference"/> links plotly.js (<see cref="HtmlOptions.PlotlyUrl"/>) instead of inlining it.</param>
    public static string Render(Notebook notebook, string title, NotebookRunResult? result = null, HtmlOptions? options = null)
    {
        options ??= HtmlOptions.Standalone;
        int? failedCell = result?.Failure?.Cell;
        var body = new StringBuilder();
        body.Append("<h1 class=\"nb-title\">").Append(Encode(title)).Append("</h1>\n");
        if (result is not null) body.Append(Summary(notebook, result));
        for (int i = 0; i < notebook.Cells.Count; i++)
        {
            var cell = notebook.Cells[i];
            int number = i + 1;
            bool notRun = failedCell is { } f && number > f && cell.Type == CellType.Code;
            body.Append(Cell(cell, number, notRun));
        }
        var content = body.ToString();
        bool plots = content.Contains("wbPlotly(", StringComparison.Ordinal);
        if (content.Contains(InlineMarker, StringComparison.Ordinal)) content = content.Replace(PlotlyJs.InlineScript(), "");   // once, in the head

        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(Encode(title)).Append("</title>\n")
            .Append("<style>").Append(Style).Append("</style>\n");
        if (plots && options.Plotly != PlotlyLoading.Reference) page.Append(PlotlyJs.InlineScript());
        page.Append(PlotlyJs.LoaderScript(options.PlotlyUrl));
        page.Append("</head>\n<body>\n<main class=\"nb\">\n").Append(content).Append("</main>\n</body>\n</html>\n");
        return page.ToString();
    }

    /// <summary>Writes the page (to a temporary name, then renamed).</summary>
    public static void Save(string path, Notebook notebook, string title, NotebookRunResult? result = null, HtmlOptions? options = null) =>
        AtomicFile.WriteAllText(path, Render(notebook, title, result, options));

    /// <summary>The start of <see cref="PlotlyJs.InlineScript"/>: an output that carries its own plotly.js (<c>InlineOnce</c>).</summary>
    private const string InlineMarker = "<script>window.__wbDefine=window.define;";

    private static string Summary(Notebook notebook, NotebookRunResult result)
    {
        int code = notebook.Cells.Count(c => c.Type == CellType.Code);
        var sb = new StringBuilder("<div class=\"nb-summary\">");
        if (result.Failure is { } failure)
            sb.Append("<div class=\"nb-failed\">Stopped at <a href=\"#cell-").Append(failure.Cell).Append("\">").Append(Encode(failure.Headline))
              .Append("</a><br>").Append(Encode(failure.Message)).Append("</div>");
        else sb.Append(code).Append(" code cells ran in ").Append(result.Elapsed.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)).Append(" s");
        foreach (var warning in result.Warnings) sb.Append("<div class=\"nb-warning\">").Append(Encode(warning)).Append("</div>");
        return sb.Append("</div>\n").ToString();
    }

    private static string Cell(NotebookCell cell, int number, bool notRun)
    {
        var sb = new StringBuilder();
        switch (cell.Type)
        {
            case CellType.Markdown:
                sb.Append($"<div class=\"cell markdown\" id=\"cell-{number}\">\n").Append(Markdown.ToHtml(cell.Source)).Append("</div>\n");
                break;
            case CellType.Raw:
                sb.Append($"<div class=\"cell raw\" id=\"cell-{number}\"><pre>").Append(Encode(cell.Source)).Append("</pre></div>\n");
                break;
            default:
                var prompt = notRun ? "not run" : cell.ExecutionCount is { } n ? $"[{n}]" : "[ ]";
                sb.Append($"<div class=\"cell code{(notRun ? " not-run" : "")}\" id=\"cell-{number}\">\n")
                  .Append("<div class=\"input\"><span class=\"prompt\">").Append(prompt).Append("</span><pre><code>")
                  .Append(Encode(cell.Source)).Append("</code></pre></div>\n");
                if (cell.Outputs.Count > 0)
                {
                    sb.Append("<div class=\"outputs\">\n");
                    foreach (var output in cell.Outputs) sb.Append(Output(output)).Append('\n');
                    sb.Append("</div>\n");
                }
                sb.Append("</div>\n");
                break;
        }
        return sb.ToString();
    }

    /// <summary>The richest form of an output this page can show: HTML, images, Markdown, then plain text.</summary>
    private static string Output(CellOutput output)
    {
        switch (output.Type)
        {
            case OutputType.Stream:
                return $"<pre class=\"stream {Encode(output.StreamName ?? "")}\">{Encode(output.Text.ToString())}</pre>";
            case OutputType.Error:
                return $"<pre class=\"error\">{Encode(string.Join("\n", output.Traceback.Count > 0 ? output.Traceback : [$"{output.ErrorName}: {output.ErrorValue}"]))}</pre>";
        }
        var data = output.Data;
        if (data.TryGetValue("text/html", out var html)) return $"<div class=\"output html\">{html}</div>";
        if (data.TryGetValue("image/svg+xml", out var svg)) return $"<div class=\"output\">{svg}</div>";
        foreach (var image in new[] { "image/png", "image/jpeg", "image/gif" })
            if (data.TryGetValue(image, out var base64))
                return $"<div class=\"output\"><img src=\"data:{image};base64,{base64.Replace("\n", "")}\" alt=\"\"></div>";
        if (data.TryGetValue("text/markdown", out var markdown)) return $"<div class=\"output markdown\">{Markdown.ToHtml(markdown)}</div>";
        if (data.TryGetValue("text/plain", out var text)) return $"<pre class=\"output\">{Encode(text)}</pre>";
        return "";
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private const string Style = """
        body{margin:0;background:#fff;color:#1f2328;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
        .nb{max-width:1100px;margin:0 auto;padding:16px 24px 48px}
        .nb-summary{color:#57606a;font-size:13px;margin-bottom:16px}
        .nb-failed{background:#fff0f0;border-left:4px solid #cf222e;padding:8px 12px;color:#82071e;white-space:pre-wrap}
        .nb-warning{color:#9a6700}
        .cell{margin:12px 0}
        .cell.markdown table{border-collapse:collapse}.cell.markdown th,.cell.markdown td{border:1px solid #d0d7de;padding:4px 10px}
        .input{display:flex;gap:8px}
        .prompt{flex:0 0 56px;color:#8c959f;font:12px/2 ui-monospace,monospace;text-align:right}
        .input pre{flex:1;margin:0;background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;overflow-x:auto}
        pre,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
        .outputs{margin:6px 0 0 64px;overflow-x:auto}
        .outputs pre{margin:4px 0;white-space:pre-wrap}
        .stream.stderr{background:#fff8e6}
        .error{background:#fff0f0;color:#82071e;padding:6px 10px}
        .not-run .input pre{opacity:.5}
        """;
}
