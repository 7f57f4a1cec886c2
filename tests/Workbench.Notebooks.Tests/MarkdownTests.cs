namespace Workbench.Notebooks.Tests;

/// <summary>The Markdown subset, against the HTML CommonMark (and GitHub's tables) give for the same text; and its safety.</summary>
public sealed class MarkdownTests
{
    [Theory]
    [InlineData("# Title", "<h1>Title</h1>\n")]
    [InlineData("### Three ###", "<h3>Three</h3>\n")]
    [InlineData("Title\n=====", "<h1>Title</h1>\n")]
    [InlineData("Sub\n---", "<h2>Sub</h2>\n")]
    [InlineData("one\ntwo\n\nthree", "<p>one\ntwo</p>\n<p>three</p>\n")]
    [InlineData("*em* **strong** _em_ __strong__ ~~gone~~ snake_case_name", "<p><em>em</em> <strong>strong</strong> <em>em</em> <strong>strong</strong> <del>gone</del> snake_case_name</p>\n")]
    [InlineData("`a*b*` and ``x ` y``", "<p><code>a*b*</code> and <code>x ` y</code></p>\n")]
    [InlineData("\\*not em\\*", "<p>*not em*</p>\n")]
    [InlineData("```csharp\nvar x = a < b;\n```", "<pre><code class=\"language-csharp\">var x = a &lt; b;</code></pre>\n")]
    [InlineData("    indented\n    code", "<pre><code>indented\ncode</code></pre>\n")]
    [InlineData("- a\n- b *c*", "<ul>\n<li>a</li>\n<li>b <em>c</em></li>\n</ul>\n")]
    [InlineData("1. first\n2. second\n   - nested", "<ol>\n<li>first</li>\n<li>second\n<ul>\n<li>nested</li>\n</ul></li>\n</ol>\n")]
    [InlineData("> quoted\n> text", "<blockquote>\n<p>quoted\ntext</p>\n</blockquote>\n")]
    [InlineData("---", "<hr>\n")]
    [InlineData("[site](https://example.org/a?b=1&c=2) <https://example.org>", "<p><a href=\"https://example.org/a?b=1&amp;c=2\">site</a> <a href=\"https://example.org\">https://example.org</a></p>\n")]
    [InlineData("![plot](figures/loss.png)", "<p><img src=\"figures/loss.png\" alt=\"plot\" style=\"max-width:100%\"></p>\n")]
    [InlineData("line  \nbreak", "<p>line<br>\nbreak</p>\n")]
    public void RendersTheSubset(string markdown, string html) => Assert.Equal(html, Markdown.ToHtml(markdown));

    [Fact]
    public void RendersAPipeTableWithAlignment()
    {
        Assert.Equal(
            "<table>\n<thead><tr><th>model</th><th style=\"text-align:right\">FVD</th></tr></thead>\n<tbody>\n" +
            "<tr><td><code>tiny</code></td><td style=\"text-align:right\">412</td></tr>\n<tr><td>a | b</td><td style=\"text-align:right\"></td></tr>\n</tbody>\n</table>\n",
            Markdown.ToHtml("| model | FVD |\n|---|---:|\n| `tiny` | 412 |\n| a \\| b |"));
    }

    [Theory]
    [InlineData("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n")]
    [InlineData("[click](javascript:alert(1))", "<p>click)</p>\n")]
    [InlineData("![x](data:image/svg+xml;base64,AAAA)", "<p>x</p>\n")]
    [InlineData("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n")]
    public void RawHtmlAndUnsafeLinksStayText(string markdown, string html) => Assert.Equal(html, Markdown.ToHtml(markdown));
}
