using Microsoft.DotNet.Interactive.Formatting;
using Workbench.Data;
using Workbench.Extensions.Plotly;
using Workbench.Torch;

namespace Workbench.Extensions;

/// <summary>
/// Turns the views on in a notebook: one call registers every view (and Tensor, VideoClip, Image) as a
/// <c>text/html</c> formatter of Microsoft.DotNet.Interactive.Formatting, picks how plotly.js is loaded and which
/// live display updates go to. The NuGet package's <c>interactive-extensions/dotnet/extension.dib</c> calls it on
/// <c>#r "nuget: Workbench.Extensions"</c>; notebooks that reference the built assemblies call it themselves.
/// </summary>
public static class WorkbenchExtension
{
    private static readonly Lock Gate = new();

    public static bool IsEnabled { get; private set; }

    /// <param name="plotly">
    /// How fragments get plotly.js; by default <see cref="PlotlyLoading.InlineOnce"/> when the npm package is found
    /// (one inlined copy per notebook, offline), else <see cref="PlotlyLoading.Reference"/>.
    /// </param>
    /// <param name="liveDisplay">Where live views update (a kernel's display; see <see cref="DelegateLiveDisplay"/>); unchanged when null.</param>
    /// <param name="plotlyUrl">Where <see cref="PlotlyLoading.Reference"/> loads plotly.js from when the page has none.</param>
    public static void Enable(PlotlyLoading? plotly = null, ILiveDisplay? liveDisplay = null, string? plotlyUrl = null)
    {
        lock (Gate)
        {
            var mode = plotly ?? (PlotlyAvailable() ? PlotlyLoading.InlineOnce : PlotlyLoading.Reference);
            if (mode != PlotlyLoading.Reference) PlotlyJs.Source();          // fails now, with the setup hint, rather than in a cell's output
            HtmlOptions.Default = new HtmlOptions { Plotly = mode, PlotlyUrl = plotlyUrl ?? PlotlyJs.DefaultUrl };
            PlotlyJs.ResetInlineOnce();
            if (liveDisplay is not null) LiveDisplay.Current = liveDisplay;
            RegisterFormatters();
            IsEnabled = true;
        }
    }

    /// <summary>The public view types this assembly registers (every concrete <see cref="IHtmlView"/>).</summary>
    public static IReadOnlyList<Type> ViewTypes { get; } = typeof(IHtmlView).Assembly.GetExportedTypes()
        .Where(t => typeof(IHtmlView).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
        .OrderBy(t => t.FullName, StringComparer.Ordinal).ToList();

    /// <summary>Registers the text/html formatters (idempotent: a later registration replaces an earlier one).</summary>
    public static void RegisterFormatters()
    {
        foreach (var type in ViewTypes)
        {
            Formatter.Register(type, (value, writer) => writer.Write(((IHtmlView)value).ToHtml()), HtmlMimeType);
            Formatter.SetPreferredMimeTypesFor(type, HtmlMimeType);
        }
        Formatter.Register(typeof(Tensor), (value, writer) => writer.Write(new TensorPreview((Tensor)value).ToHtml()), HtmlMimeType);
        Formatter.Register(typeof(VideoClip), (value, writer) => writer.Write(new ClipPlayer((VideoClip)value).ToHtml()), HtmlMimeType);
        Formatter.Register(typeof(Image), (value, writer) => writer.Write(new ImageGrid([(Image)value]).ToHtml()), HtmlMimeType);
        foreach (var type in new[] { typeof(Tensor), typeof(VideoClip), typeof(Image) })
            Formatter.SetPreferredMimeTypesFor(type, HtmlMimeType);
    }

    public const string HtmlMimeType = "text/html";

    private static bool PlotlyAvailable()
    {
        try
        {
            PlotlyJs.Locate();
            return true;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }
}
