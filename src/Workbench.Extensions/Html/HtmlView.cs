namespace Workbench.Extensions;

/// <summary>Base of the views: <c>ToHtml()</c> renders with <see cref="HtmlOptions.Default"/>.</summary>
public abstract class HtmlView : IHtmlView
{
    public string ToHtml() => ToHtml(HtmlOptions.Default);

    public abstract string ToHtml(HtmlOptions options);
}
