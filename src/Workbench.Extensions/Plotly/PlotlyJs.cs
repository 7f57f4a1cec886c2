using System.Text;
using System.Text.Json;

namespace Workbench.Extensions.Plotly;

/// <summary>
/// Where plotly.js comes from: the npm package <c>plotly.js-dist-min</c> (package.json at the repository root,
/// installed by <c>bash scripts/setup.sh</c>), found by walking up from the assembly and the current directory, or a
/// URL. Writes the &lt;script&gt; tags a fragment needs for each <see cref="PlotlyLoading"/> mode.
/// </summary>
public static class PlotlyJs
{
    public const string Version = "4.1.2";
    public const string PackageFile = "node_modules/plotly.js-dist-min/plotly.min.js";
    /// <summary>The same file from a CDN that mirrors npm (for <see cref="PlotlyLoading.Reference"/> with no local copy).</summary>
    public const string DefaultUrl = "https://cdn.jsdelivr.net/npm/plotly.js-dist-min@" + Version + "/plotly.min.js";
    /// <summary>Environment variable naming plotly.min.js explicitly (overrides the search).</summary>
    public const string PathVariable = "WORKBENCH_PLOTLY_JS";

    private static readonly Lock Gate = new();
    private static string? _source;
    private static bool _inlined;

    /// <summary>
    /// The path of plotly.min.js: <see cref="PathVariable"/> when set, else the first
    /// <c>node_modules/plotly.js-dist-min/plotly.min.js</c> above the application folder, this assembly's folder or the
    /// current directory. Throws <see cref="FileNotFoundException"/> naming the fix when there is none.
    /// </summary>
    public static string Locate() =>
        Locate([AppContext.BaseDirectory, Path.GetDirectoryName(typeof(PlotlyJs).Assembly.Location) ?? "", Directory.GetCurrentDirectory()]);

    /// <summary>The same search, upward from <paramref name="startFolders"/>.</summary>
    public static string Locate(IEnumerable<string> startFolders)
    {
        var explicitPath = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(explicitPath))
            return File.Exists(explicitPath) ? Path.GetFullPath(explicitPath)
                : throw new FileNotFoundException($"{PathVariable} names {explicitPath}, which does not exist", explicitPath);
        var starts = startFolders.Where(s => !string.IsNullOrEmpty(s)).Distinct().ToList();
        foreach (var start in starts)
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, PackageFile);
                if (File.Exists(candidate)) return candidate;
            }
        throw new FileNotFoundException(
            $"plotly.js was not found: no {PackageFile} in or above {string.Join(" or ", starts)}. " +
            $"Run `bash scripts/setup.sh` at the repository root (it runs `npm ci`, which installs plotly.js-dist-min {Version}), " +
            $"set {PathVariable} to a plotly.min.js, or render with PlotlyLoading.Reference.");
    }

    /// <summary>The text of plotly.min.js (read once), made safe to put inside a &lt;script&gt; element.</summary>
    public static string Source()
    {
        lock (Gate) return _source ??= File.ReadAllText(Locate()).Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// plotly.js inline. The 4.x bundle sets <c>window.Plotly</c> itself; AMD's <c>define</c> (require.js in
    /// Jupyter-style front-ends) is hidden while it runs anyway, so that a bundle that would register an anonymous
    /// module (older plotly.js, a file given by <see cref="PathVariable"/>) sets <c>window.Plotly</c> too.
    /// </summary>
    public static string InlineScript() =>
        "<script>window.__wbDefine=window.define;window.define=undefined;</script>\n<script>" + Source() +
        "</script>\n<script>window.define=window.__wbDefine;</script>\n";

    /// <summary>
    /// Defines <c>wbPlotly(callback)</c> once per page: calls back with window.Plotly, loading it from
    /// <paramref name="url"/> first when the page has none (through require.js when present, else a script tag).
    /// </summary>
    public static string LoaderScript(string url) =>
        "<script>window.__wbPlotlyUrl=window.__wbPlotlyUrl||" + JsonSerializer.Serialize(url) + ";" + Loader + "</script>\n";

    private const string Loader =
        "window.wbPlotly=window.wbPlotly||function(cb){var w=window;if(w.Plotly){cb(w.Plotly);return;}" +
        "var q=w.__wbPlotlyQueue=w.__wbPlotlyQueue||[];q.push(cb);if(q.length>1)return;var url=w.__wbPlotlyUrl;" +
        "var done=function(P){w.Plotly=w.Plotly||P;var all=w.__wbPlotlyQueue;w.__wbPlotlyQueue=[];all.forEach(function(f){f(w.Plotly);});};" +
        "if(typeof w.requirejs==='function'&&w.requirejs.config){w.requirejs.config({paths:{wbplotly:url.replace(/\\.js$/,'')}});w.requirejs(['wbplotly'],done);}" +
        "else{var s=document.createElement('script');s.src=url;s.onload=function(){done(w.Plotly);};" +
        "s.onerror=function(){console.warn('Workbench: plotly.js could not be loaded from '+url);};document.head.appendChild(s);}};";

    /// <summary>The scripts a fragment starts with, for <paramref name="options"/>' loading mode.</summary>
    public static string Scripts(HtmlOptions options)
    {
        var sb = new StringBuilder();
        if (options.Plotly == PlotlyLoading.Inline || (options.Plotly == PlotlyLoading.InlineOnce && TakeInlineOnce()))
            sb.Append(InlineScript());
        sb.Append(LoaderScript(options.PlotlyUrl));
        return sb.ToString();
    }

    /// <summary>Makes the next <see cref="PlotlyLoading.InlineOnce"/> fragment inline plotly.js again (a new notebook or page).</summary>
    public static void ResetInlineOnce()
    {
        lock (Gate) _inlined = false;
    }

    private static bool TakeInlineOnce()
    {
        lock (Gate)
        {
            if (_inlined) return false;
            Source();                    // throws (with the setup hint) before the flag is set
            _inlined = true;
            return true;
        }
    }
}
