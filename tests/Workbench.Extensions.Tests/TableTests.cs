using Workbench.Metrics;

namespace Workbench.Extensions.Tests;

public sealed class TableTests
{
    [Fact]
    public void ColumnsAreThePropertiesInOrderAndCellsAreFormatted()
    {
        var rows = new[]
        {
            new { Layout = "joint", Steps = 150L, Fvd = 123.456789, Passed = (MetricInterval?)new MetricInterval(0.5, 0.25, 0.75, 0.1, 100, 0.95) },
            new { Layout = "<per-frame>", Steps = 90L, Fvd = double.NaN, Passed = (MetricInterval?)null },
        };
        var table = Table.From(rows, "final");
        Assert.Equal(["Layout", "Steps", "Fvd", "Passed"], table.Columns);
        Assert.Equal(2, table.Rows.Count);
        var html = table.ToHtml();
        Assert.Contains(">final</div>", html);
        Assert.Contains(">123.5</td>", html);                                      // 4 significant digits
        Assert.Contains(">0.5 [0.25, 0.75]</td>", html);
        Assert.Contains(">150</td>", html);
        Assert.Contains(">&lt;per-frame&gt;</td>", html);                         // escaped
        Assert.Equal(2, html.Split(">–</td>").Length - 1);                         // NaN and null
        Assert.Equal(4, html.Split("<th ").Length - 1);
        Assert.Equal(8, html.Split("<td ").Length - 1);
    }

    [Fact]
    public void CellFormattingHandlesNumbersOfEveryKind()
    {
        Assert.Equal("0.001235", Table.FormatCell(0.00123456));
        Assert.Equal("1.235E+06", Table.FormatCell(1234567.0));
        Assert.Equal("1234567", Table.FormatCell(1234567L));
        Assert.Equal("0.12", Table.FormatCell(0.1234f, 2));
        Assert.Equal("∞", Table.FormatCell(double.PositiveInfinity));
        Assert.Equal("Joint", Table.FormatCell(Workbench.Models.Attention.AttentionLayout.Joint));
    }

    [Fact]
    public void RowsMustMatchTheColumns()
    {
        var e = Assert.Throws<ArgumentException>(() => new Table(["a", "b"], [[1, 2], [3]]));
        Assert.Contains("2 cells", e.Message);
    }
}
