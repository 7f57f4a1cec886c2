using System.Text.Json;

namespace Workbench.Extensions.Tests;

/// <summary>The figure model serialises to the plotly.js schema.</summary>
public sealed class FigureTests
{
    private static JsonElement Json(Figure f) => JsonDocument.Parse(f.ToJson()).RootElement;

    [Fact]
    public void ALineIsAScatterTraceInLinesModeWithNullsLeftOut()
    {
        var json = Json(Chart.Line([0, 1], [2, 3], "a"));
        var trace = json.GetProperty("data")[0];
        Assert.Equal("scatter", trace.GetProperty("type").GetString());
        Assert.Equal("lines", trace.GetProperty("mode").GetString());
        Assert.Equal("a", trace.GetProperty("name").GetString());
        Assert.Equal([2.0, 3.0], trace.GetProperty("y").EnumerateArray().Select(e => e.GetDouble()));
        Assert.False(trace.TryGetProperty("marker", out _));
        Assert.False(json.TryGetProperty("frames", out _));
        Assert.False(json.GetProperty("config").GetProperty("displaylogo").GetBoolean());
    }

    [Fact]
    public void NonFiniteNumbersBecomeNullWhichPlotlyDrawsAsGaps()
    {
        var y = Json(Chart.Line([0, 1, 2], [1, double.NaN, double.PositiveInfinity])).GetProperty("data")[0].GetProperty("y");
        Assert.Equal(JsonValueKind.Number, y[0].ValueKind);
        Assert.Equal(JsonValueKind.Null, y[1].ValueKind);
        Assert.Equal(JsonValueKind.Null, y[2].ValueKind);
    }

    [Fact]
    public void AttributesWithoutAPropertyAreWrittenUnderTheirSchemaName()
    {
        var f = Chart.Line([1, 2]);
        f.Data[0].Set("fillcolor", "red");
        f.Layout.Set("dragmode", "pan");
        var json = Json(f);
        Assert.Equal("red", json.GetProperty("data")[0].GetProperty("fillcolor").GetString());
        Assert.Equal("pan", json.GetProperty("layout").GetProperty("dragmode").GetString());
    }

    [Fact]
    public void AGridGivesEachCellItsOwnAxesDomainsAndTitles()
    {
        var heat = Chart.Heatmap(new double[,] { { 1, 2 } });
        var grid = Chart.Grid(1, 2, [Chart.Line([1, 2]), heat], ["left", "right"], horizontalGap: 0.1);
        var json = Json(grid);
        var data = json.GetProperty("data");
        Assert.Equal("x", data[0].GetProperty("xaxis").GetString());
        Assert.Equal("y2", data[1].GetProperty("yaxis").GetString());
        var layout = json.GetProperty("layout");
        Assert.Equal([0.0, 0.45], layout.GetProperty("xaxis").GetProperty("domain").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal([0.55, 1.0], layout.GetProperty("xaxis2").GetProperty("domain").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal("x2", layout.GetProperty("yaxis2").GetProperty("scaleanchor").GetString());   // the heatmap's square cells follow it
        Assert.Equal("reversed", layout.GetProperty("yaxis2").GetProperty("autorange").GetString());
        var titles = layout.GetProperty("annotations").EnumerateArray().Select(a => a.GetProperty("text").GetString()).ToList();
        Assert.Equal(["left", "right"], titles);
    }

    [Fact]
    public void ThreeDimensionalCellsGetScenes()
    {
        var grid = Chart.Grid(1, 2, [Chart.Surface([[0, 1], [1, 0]]), Chart.Scatter3d([0], [0], [0])]);
        var json = Json(grid);
        Assert.Equal("scene", json.GetProperty("data")[0].GetProperty("scene").GetString());
        Assert.Equal("scene2", json.GetProperty("data")[1].GetProperty("scene").GetString());
        Assert.True(json.GetProperty("layout").TryGetProperty("scene2", out var scene));
        Assert.Equal(2, scene.GetProperty("domain").GetProperty("x").GetArrayLength());
    }

    [Fact]
    public void AnAnimationHasAFramePerStepASliderAndPlayPause()
    {
        var frames = Enumerable.Range(0, 4).Select(i => ($"f{i}", Chart.Line([0, 1], [i, i]).WithTitle($"t{i}"))).ToList();
        var json = Json(Chart.Animate(frames, 100));
        Assert.Equal(4, json.GetProperty("frames").GetArrayLength());
        var frame = json.GetProperty("frames")[2];
        Assert.Equal("f2", frame.GetProperty("name").GetString());
        Assert.Equal("t2", frame.GetProperty("layout").GetProperty("title").GetProperty("text").GetString());
        Assert.Equal(2.0, frame.GetProperty("data")[0].GetProperty("y")[0].GetDouble());
        var steps = json.GetProperty("layout").GetProperty("sliders")[0].GetProperty("steps");
        Assert.Equal(4, steps.GetArrayLength());
        Assert.Equal("animate", steps[3].GetProperty("method").GetString());
        Assert.Equal("f3", steps[3].GetProperty("args")[0][0].GetString());
        var buttons = json.GetProperty("layout").GetProperty("updatemenus")[0].GetProperty("buttons");
        Assert.Equal(JsonValueKind.Null, buttons[0].GetProperty("args")[0].ValueKind);                 // play: all frames
        Assert.Equal(100, buttons[0].GetProperty("args")[1].GetProperty("frame").GetProperty("duration").GetInt32());
        Assert.Equal(JsonValueKind.Null, buttons[1].GetProperty("args")[0][0].ValueKind);              // pause: [null]
    }

    [Fact]
    public void FramesWithDifferentTracesAreRejected()
    {
        var frames = new List<(string, Figure)> { ("a", Chart.Line([1])), ("b", Chart.Combine(Chart.Line([1]), Chart.Line([2]))) };
        var e = Assert.Throws<ArgumentException>(() => Chart.Animate(frames));
        Assert.Contains("frame b has 2", e.Message);
    }

    [Fact]
    public void TheHtmlPlotsTheJsonIntoItsOwnElement()
    {
        var f = Chart.Line([1, 2]);
        var html = f.ToHtml(HtmlOptions.Referenced);
        var id = System.Text.RegularExpressions.Regex.Match(html, "id=\"(wb[0-9a-f]{8})\"").Groups[1].Value;
        Assert.Contains($"document.getElementById(\"{id}\")", html);
        Assert.Contains("Plotly.newPlot(gd," + f.ToJson() + ")", html);
        Assert.DoesNotContain("</script", f.ToJson());
        Assert.NotEqual(id, System.Text.RegularExpressions.Regex.Match(f.ToHtml(HtmlOptions.Referenced), "id=\"(wb[0-9a-f]{8})\"").Groups[1].Value);
    }

    [Fact]
    public void TextThatLooksLikeMarkupCannotCloseTheScript()
    {
        var f = Chart.Line([1]).WithTitle("</script><script>alert(1)</script>");
        Assert.DoesNotContain("</script><script>alert", f.ToHtml(HtmlOptions.Referenced));
    }
}
