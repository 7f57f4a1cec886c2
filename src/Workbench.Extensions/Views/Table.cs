using System.Globalization;
using System.Reflection;
using System.Text;
using Workbench.Metrics;

namespace Workbench.Extensions;

/// <summary>
/// Results as an HTML table: one row per item, one column per public property of the item type (an anonymous type, a
/// record), in declaration order. Numbers keep <see cref="Digits"/> significant digits and are right-aligned, a
/// <see cref="MetricInterval"/> reads "value [lower, upper]", null and NaN read "–". (The kernel's formatter shows a
/// list of objects as one collapsible tree per item, which hides the comparison a results table is for.)
/// </summary>
public sealed class Table : HtmlView
{
    public Table(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<object?>> rows)
    {
        Columns = columns;
        Rows = rows.ToList();
        if (Rows.FirstOrDefault(r => r.Count != columns.Count) is { } bad)
            throw new ArgumentException($"every row needs {columns.Count} cells (one per column), got a row of {bad.Count}", nameof(rows));
    }

    /// <summary>A table of <paramref name="items"/>, a column for each public instance property of <typeparamref name="T"/>.</summary>
    public static Table From<T>(IEnumerable<T> items, string? title = null)
    {
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToArray();
        if (properties.Length == 0) throw new ArgumentException($"{typeof(T).Name} has no public properties to make columns of", nameof(items));
        return new Table(properties.Select(p => p.Name).ToList(), items.Select(i => (IReadOnlyList<object?>)properties.Select(p => p.GetValue(i)).ToList())) { Title = title };
    }

    public IReadOnlyList<string> Columns { get; }
    public IReadOnlyList<IReadOnlyList<object?>> Rows { get; }
    public string? Title { get; init; }
    /// <summary>Significant digits of floating-point cells.</summary>
    public int Digits { get; init; } = 4;

    /// <summary>A cell's text: numbers to <paramref name="digits"/> significant digits (integers whole), intervals with their bounds.</summary>
    public static string FormatCell(object? value, int digits = 4) => value switch
    {
        null => "–",
        double d => Number(d, digits),
        float f => Number(f, digits),
        MetricInterval i => $"{Number(i.Value, digits)} [{Number(i.Lower, digits)}, {Number(i.Upper, digits)}]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Number(double d, int digits) =>
        double.IsNaN(d) ? "–" : double.IsInfinity(d) ? (d > 0 ? "∞" : "−∞") : d.ToString("G" + digits, CultureInfo.InvariantCulture);

    private static bool IsNumeric(object? value) => value is double or float or int or long or short or byte or uint or ulong or decimal or MetricInterval;

    public override string ToHtml(HtmlOptions options)
    {
        const string cell = "padding:3px 10px;border-bottom:1px solid #e4e4e4;";
        var sb = new StringBuilder(Html.Style);
        sb.Append("<div class=\"wb-view wb-table\">");
        if (Title is not null) sb.Append("<div class=\"wb-title\">").Append(Html.Encode(Title)).Append("</div>");
        sb.Append("<table style=\"border-collapse:collapse;font-variant-numeric:tabular-nums\"><thead><tr>");
        foreach (var c in Columns) sb.Append("<th style=\"").Append(cell).Append("border-bottom:2px solid #999;text-align:left\">").Append(Html.Encode(c)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in Rows)
        {
            sb.Append("<tr>");
            foreach (var value in row)
                sb.Append("<td style=\"").Append(cell).Append(IsNumeric(value) ? "text-align:right" : "text-align:left").Append("\">")
                  .Append(Html.Encode(FormatCell(value, Digits))).Append("</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table></div>");
        return sb.ToString();
    }
}
