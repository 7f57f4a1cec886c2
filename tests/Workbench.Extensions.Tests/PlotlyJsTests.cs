namespace Workbench.Extensions.Tests;

/// <summary>Where plotly.js comes from, in each loading mode. Touches process-wide state, so not in parallel.</summary>
[Collection(nameof(GlobalState))]
public sealed class PlotlyJsTests
{
    [Fact]
    public void TheNpmPackageIsFoundAboveTheTestAssembly()
    {
        var path = PlotlyJs.Locate();
        Assert.EndsWith(Path.Combine("node_modules", "plotly.js-dist-min", "plotly.min.js"), path);
        Assert.True(new FileInfo(path).Length > 1_000_000);
    }

    [Fact]
    public void AMissingFileNamesTheSetupScript()
    {
        var previous = Environment.GetEnvironmentVariable(PlotlyJs.PathVariable);
        try
        {
            Environment.SetEnvironmentVariable(PlotlyJs.PathVariable, "/nonexistent/plotly.min.js");
            var e = Assert.Throws<FileNotFoundException>(() => PlotlyJs.Locate());
            Assert.Contains("/nonexistent/plotly.min.js", e.Message);
        }
        finally { Environment.SetEnvironmentVariable(PlotlyJs.PathVariable, previous); }
    }

    [Fact]
    public void TheSearchFailureNamesTheSetupScript()
    {
        var previous = Environment.GetEnvironmentVariable(PlotlyJs.PathVariable);
        var empty = Directory.CreateTempSubdirectory("wb-no-plotly-");
        try
        {
            Environment.SetEnvironmentVariable(PlotlyJs.PathVariable, null);
            var e = Assert.Throws<FileNotFoundException>(() => PlotlyJs.Locate([empty.FullName]));
            Assert.Contains("bash scripts/setup.sh", e.Message);
            Assert.Contains("plotly.js-dist-min", e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(PlotlyJs.PathVariable, previous);
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public void InlineFragmentsCarryPlotlyReferencedOnesDoNot()
    {
        var source = PlotlyJs.Source();
        var inline = Chart.Line([1, 2]).ToHtml(HtmlOptions.Standalone);
        Assert.Contains(source, inline);
        Assert.Contains("window.define=undefined", inline);
        var referenced = Chart.Line([1, 2]).ToHtml(HtmlOptions.Referenced);
        Assert.DoesNotContain(source, referenced);
        Assert.Contains(PlotlyJs.DefaultUrl, referenced);
        Assert.True(referenced.Length < 5000);
    }

    [Fact]
    public void InlineOnceInlinesTheFirstFragmentOnly()
    {
        var options = new HtmlOptions { Plotly = PlotlyLoading.InlineOnce };
        PlotlyJs.ResetInlineOnce();
        var first = Chart.Line([1]).ToHtml(options);
        var second = Chart.Line([1]).ToHtml(options);
        Assert.True(first.Length > 1_000_000);
        Assert.True(second.Length < 5000);
        PlotlyJs.ResetInlineOnce();
        Assert.True(Chart.Line([1]).ToHtml(options).Length > 1_000_000);
    }

    [Fact]
    public void APageInlinesPlotlyOnceForAllItsViews()
    {
        var page = new HtmlPage().Add(Chart.Line([1])).Add(Chart.Line([2])).Add(Chart.Line([3]));
        var html = page.ToHtml();
        var source = PlotlyJs.Source();
        int first = html.IndexOf(source, StringComparison.Ordinal);
        Assert.True(first >= 0);
        Assert.Equal(-1, html.IndexOf(source, first + 1, StringComparison.Ordinal));
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(html, "Plotly.newPlot").Count);
    }
}

[CollectionDefinition(nameof(GlobalState), DisableParallelization = true)]
public sealed class GlobalState;
