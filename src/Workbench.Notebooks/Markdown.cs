using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Workbench.Notebooks;

/// <summary>
/// A small, safe Markdown to HTML converter for notebook text (it stands in for Markdig, which the offline page does
/// not need in full): ATX and setext headings, paragraphs, emphasis, strikethrough, code spans, fenced and indented code
/// blocks, nested lists, block quotes, rules, links, images and pipe tables. Raw HTML is shown as text, and links
/// other than http(s), mailto, anchors and relative paths are not made links, so a notebook cannot inject script.
/// </summary>
public static partial class Markdown
{
    public static string ToHtml(string markdown)
    {
        var sb = new StringBuilder();
        Blocks(markdown.Replace("\r\n", "\n").Replace("\t", "    ").Split('\n'), sb);
        return sb.ToString();
    }

    private static void Blocks(IReadOnlyList<string> lines, StringBuilder sb)
    {
        int i = 0;
        while (i < lines.Count)
        {
            var line = lines[i];
            if (IsBlank(line)) { i++; continue; }
            if (Fence().Match(line) is { Success: true } fence)
            {
                var marker = fence.Groups[1].Value;
                var language = fence.Groups[2].Value.Trim();
                var code = new List<string>();
                for (i++; i < lines.Count && !lines[i].TrimStart().StartsWith(marker, StringComparison.Ordinal); i++) code.Add(lines[i]);
                i++;
                sb.Append("<pre><code").Append(language.Length > 0 ? $" class=\"language-{Encode(language)}\"" : "").Append('>')
                  .Append(Encode(string.Join("\n", code))).Append("</code></pre>\n");
                continue;
            }
            if (Heading().Match(line) is { Success: true } heading)
            {
                int level = heading.Groups[1].Length;
                sb.Append($"<h{level}>").Append(Inline(heading.Groups[2].Value.TrimEnd('#', ' '))).Append($"</h{level}>\n");
                i++;
                continue;
            }
            if (Rule().IsMatch(line)) { sb.Append("<hr>\n"); i++; continue; }
            if (line.StartsWith("    ", StringComparison.Ordinal))
            {
                var code = new List<string>();
                for (; i < lines.Count && (lines[i].StartsWith("    ", StringComparison.Ordinal) || IsBlank(lines[i])); i++) code.Add(lines[i].Length >= 4 ? lines[i][4..] : "");
                while (code.Count > 0 && IsBlank(code[^1])) code.RemoveAt(code.Count - 1);
                sb.Append("<pre><code>").Append(Encode(string.Join("\n", code))).Append("</code></pre>\n");
                continue;
            }
            if (line.TrimStart().StartsWith('>'))
            {
                var quoted = new List<string>();
                for (; i < lines.Count && lines[i].TrimStart().StartsWith('>'); i++) quoted.Add(QuoteMarker().Replace(lines[i], ""));
                sb.Append("<blockquote>\n");
                Blocks(quoted, sb);
                sb.Append("</blockquote>\n");
                continue;
            }
            if (ListItem().IsMatch(line)) { i = List(lines, i, sb); continue; }
            if (i + 1 < lines.Count && line.Contains('|') && TableSeparator().IsMatch(lines[i + 1])) { i = Table(lines, i, sb); continue; }
            // A paragraph: lines up to a blank line or another block; "===" / "---" under one line makes a heading.
            var paragraph = new List<string> { line.TrimStart() };
            for (i++; i < lines.Count && !IsBlank(lines[i]) && !StartsBlock(lines[i]); i++)
            {
                if (SetextUnderline().Match(lines[i]) is { Success: true } underline)
                {
                    int level = underline.Groups[1].Value[0] == '=' ? 1 : 2;
                    sb.Append($"<h{level}>").Append(Inline(string.Join(" ", paragraph))).Append($"</h{level}>\n");
                    paragraph.Clear();
                    i++;
                    break;
                }
                paragraph.Add(lines[i].TrimStart());
            }
            if (paragraph.Count > 0) sb.Append("<p>").Append(Inline(string.Join("\n", paragraph).TrimEnd())).Append("</p>\n");
        }
    }

    private static bool StartsBlock(string line) =>
        Fence().IsMatch(line) || Heading().IsMatch(line) || line.TrimStart().StartsWith('>') || ListItem().IsMatch(line) || (Rule().IsMatch(line) && !SetextUnderline().IsMatch(line));

    /// <summary>A list from line <paramref name="start"/>: items at its indent, each with the more-indented lines under it (nested blocks).</summary>
    private static int List(IReadOnlyList<string> lines, int start, StringBuilder sb)
    {
        var first = ListItem().Match(lines[start]);
        int indent = first.Groups[1].Length;
        bool ordered = char.IsDigit(first.Groups[2].Value[0]);
        sb.Append(ordered ? "<ol>\n" : "<ul>\n");
        int i = start;
        while (i < lines.Count)
        {
            var item = ListItem().Match(lines[i]);
            if (!item.Success || item.Groups[1].Length != indent || char.IsDigit(item.Groups[2].Value[0]) != ordered) break;
            int contentIndent = item.Length;
            var content = new List<string> { lines[i][contentIndent..] };
            for (i++; i < lines.Count; i++)
            {
                var next = lines[i];
                if (IsBlank(next))
                {
                    if (i + 1 < lines.Count && Indent(lines[i + 1]) > indent) { content.Add(""); continue; }
                    break;
                }
                if (Indent(next) <= indent && (ListItem().IsMatch(next) || StartsBlock(next))) break;
                content.Add(Indent(next) >= contentIndent ? next[contentIndent..] : next.TrimStart());
            }
            var inner = new StringBuilder();
            Blocks(content, inner);
            var html = inner.ToString();
            // A tight item is its text, not a paragraph.
            if (!content.Any(IsBlank) && html.StartsWith("<p>", StringComparison.Ordinal) && html.IndexOf("</p>", StringComparison.Ordinal) is int end && end > 0)
                html = html[3..end] + html[(end + 4)..];
            sb.Append("<li>").Append(html.TrimEnd('\n')).Append("</li>\n");
            while (i < lines.Count && IsBlank(lines[i]) && i + 1 < lines.Count && ListItem().Match(lines[i + 1]) is { Success: true } m && m.Groups[1].Length == indent) i++;
        }
        sb.Append(ordered ? "</ol>\n" : "</ul>\n");
        return i;
    }

    private static int Table(IReadOnlyList<string> lines, int start, StringBuilder sb)
    {
        var header = Cells(lines[start]);
        var alignments = Cells(lines[start + 1]).Select(c => c.StartsWith(':') && c.EndsWith(':') ? "center" : c.EndsWith(':') ? "right" : c.StartsWith(':') ? "left" : null).ToList();
        string Align(int column) => column < alignments.Count && alignments[column] is { } a ? $" style=\"text-align:{a}\"" : "";
        sb.Append("<table>\n<thead><tr>");
        for (int c = 0; c < header.Count; c++) sb.Append($"<th{Align(c)}>").Append(Inline(header[c])).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        int i = start + 2;
        for (; i < lines.Count && !IsBlank(lines[i]) && lines[i].Contains('|'); i++)
        {
            var row = Cells(lines[i]);
            sb.Append("<tr>");
            for (int c = 0; c < header.Count; c++) sb.Append($"<td{Align(c)}>").Append(c < row.Count ? Inline(row[c]) : "").Append("</td>");
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody>\n</table>\n");
        return i;
    }

    private static List<string> Cells(string row)
    {
        row = row.Trim();
        if (row.StartsWith('|')) row = row[1..];
        if (row.EndsWith('|') && !row.EndsWith("\\|", StringComparison.Ordinal)) row = row[..^1];
        return TableCell().Split(row).Select(c => c.Replace("\\|", "|").Trim()).ToList();
    }

    /// <summary>Inline markup: code spans and backslash escapes first (their text is literal), then links, images and emphasis.</summary>
    public static string Inline(string text)
    {
        var literals = new List<string>();
        string Hold(string html)
        {
            literals.Add(html);
            return $"\u0001{literals.Count - 1}\u0002";
        }
        text = CodeSpan().Replace(text, m => Hold("<code>" + Encode(m.Groups[2].Value.Trim()) + "</code>"));
        text = Escaped().Replace(text, m => Hold(Encode(m.Groups[1].Value)));
        text = Encode(text);
        text = Image().Replace(text, m => SafeUrl(m.Groups[2].Value) is { } src
            ? Hold($"<img src=\"{src}\" alt=\"{m.Groups[1].Value}\" style=\"max-width:100%\">") : m.Groups[1].Value);
        text = Link().Replace(text, m => SafeUrl(m.Groups[2].Value) is { } href ? $"<a href=\"{href}\">{m.Groups[1].Value}</a>" : m.Groups[1].Value);
        text = AutoLink().Replace(text, m => $"<a href=\"{m.Groups[1].Value}\">{m.Groups[1].Value}</a>");
        text = Strong().Replace(text, "<strong>$2</strong>");
        text = Emphasis().Replace(text, "<em>$2</em>");
        text = UnderscoreEmphasis().Replace(text, "$1<em>$2</em>");
        text = Strike().Replace(text, "<del>$1</del>");
        text = HardBreak().Replace(text, "<br>\n");
        return Placeholder().Replace(text, m => literals[int.Parse(m.Groups[1].Value)]);
    }

    /// <summary>The URL (already HTML-encoded) when it is http(s), mailto, an anchor or relative; null for anything else (javascript:, data:).</summary>
    private static string? SafeUrl(string url)
    {
        url = UrlTitle().Replace(url.Trim(), "");
        var scheme = UrlScheme().Match(url);
        return !scheme.Success || scheme.Groups[1].Value.ToLowerInvariant() is "http" or "https" or "mailto" ? url : null;
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static bool IsBlank(string line) => string.IsNullOrWhiteSpace(line);

    private static int Indent(string line) => line.Length - line.TrimStart(' ').Length;

    [GeneratedRegex(@"^\s{0,3}(```+|~~~+)(.*)$")] private static partial Regex Fence();
    [GeneratedRegex(@"^\s{0,3}(#{1,6})\s+(.*)$")] private static partial Regex Heading();
    [GeneratedRegex(@"^\s{0,3}([-*_])(\s*\1){2,}\s*$")] private static partial Regex Rule();
    [GeneratedRegex(@"^\s{0,3}(=+|-+)\s*$")] private static partial Regex SetextUnderline();
    [GeneratedRegex(@"^\s*>\s?")] private static partial Regex QuoteMarker();
    [GeneratedRegex(@"^(\s*)([-*+]|\d{1,9}[.)])(\s+|$)")] private static partial Regex ListItem();
    [GeneratedRegex(@"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")] private static partial Regex TableSeparator();
    [GeneratedRegex(@"(?<!\\)\|")] private static partial Regex TableCell();
    [GeneratedRegex(@"(`+)(.+?)(?<!`)\1(?!`)")] private static partial Regex CodeSpan();
    [GeneratedRegex(@"\\([\\`*_{}\[\]()#+\-.!|~<>])")] private static partial Regex Escaped();
    [GeneratedRegex(@"!\[([^\]]*)\]\(([^)\s]+(?:\s+&quot;[^)]*&quot;)?)\)")] private static partial Regex Image();
    [GeneratedRegex(@"\[([^\]]+)\]\(([^)\s]+(?:\s+&quot;[^)]*&quot;)?)\)")] private static partial Regex Link();
    [GeneratedRegex(@"&lt;(https?://[^\s&]+)&gt;")] private static partial Regex AutoLink();
    [GeneratedRegex(@"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")] private static partial Regex Strong();
    [GeneratedRegex(@"(\*)(?=\S)(.+?)(?<=\S)\*")] private static partial Regex Emphasis();
    [GeneratedRegex(@"(^|[^\w])_(?=\S)(.+?)(?<=\S)_(?!\w)")] private static partial Regex UnderscoreEmphasis();
    [GeneratedRegex(@"~~(?=\S)(.+?)(?<=\S)~~")] private static partial Regex Strike();
    [GeneratedRegex(@"( {2,}|\\)\n")] private static partial Regex HardBreak();
    [GeneratedRegex(@"\u0001(\d+)\u0002")] private static partial Regex Placeholder();
    [GeneratedRegex(@"\s+&quot;.*&quot;$")] private static partial Regex UrlTitle();
    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9+.-]*):")] private static partial Regex UrlScheme();
}
