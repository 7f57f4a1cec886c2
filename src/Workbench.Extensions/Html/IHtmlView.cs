namespace Workbench.Extensions;

/// <summary>
/// Something that renders itself as an HTML fragment. Every view has a public parameterless <c>ToHtml()</c>, which
/// Verso and any other front-end can call by name, and is registered as a <c>text/html</c> formatter for .NET
/// Interactive by <see cref="WorkbenchExtension.Enable"/>.
/// </summary>
public interface IHtmlView
{
    /// <summary>The fragment, with <see cref="HtmlOptions.Default"/>.</summary>
    string ToHtml();

    string ToHtml(HtmlOptions options);
}
