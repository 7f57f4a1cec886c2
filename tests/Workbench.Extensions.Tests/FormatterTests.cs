using Microsoft.DotNet.Interactive.Formatting;

namespace Workbench.Extensions.Tests;

/// <summary>Enable() registers every view as a text/html formatter, as a kernel (or the notebook runner) calls them.</summary>
[Collection(nameof(GlobalState))]
public sealed class FormatterTests
{
    [Fact]
    public void EveryViewFormatsAsItsHtml()
    {
        var previous = HtmlOptions.Default;
        try
        {
            WorkbenchExtension.Enable(PlotlyLoading.Reference);
            Assert.True(WorkbenchExtension.IsEnabled);
            Assert.Equal(PlotlyLoading.Reference, HtmlOptions.Default.Plotly);
            IHtmlView[] views =
            [
                Chart.Line([1, 2]),
                ClipPlayer.Compare(("a", Samples.MovingSquare())),
                ImageGrid.FromClip(Samples.MovingSquare()),
                new LatentChannels(Samples.LatentValues(1, 2, 2, 2), 1, 2, 2, 2),
                new LatentLoaf(Samples.LatentValues(1, 2, 2, 2), 2, 2, 2, (1, 1, 1)),
                new AttentionMapView(Samples.SyntheticAttention((1, 2, 2))),
                new DenoisingView(Samples.DenoisingFrames(2)),
                new TrainingCurves(),
                RunComparison.FvdVsStep(Samples.Runs()),
                new ProgressBar(2, "x"),
            ];
            foreach (var view in views)
            {
                var formatted = view.ToDisplayString("text/html");
                Assert.Equal(Snapshot.Normalize(view.ToHtml()), Snapshot.Normalize(formatted));
            }
            Assert.Contains(typeof(AttentionMapView), WorkbenchExtension.ViewTypes);
            Assert.DoesNotContain(typeof(LiveView), WorkbenchExtension.ViewTypes);
            var clip = Samples.MovingSquare();
            Assert.Contains("wb-player", clip.ToDisplayString("text/html"));
            Assert.Contains("<img", new Image([1, 2, 3], 1, 1, 3).ToDisplayString("text/html"));
        }
        finally { HtmlOptions.Default = previous; }
    }

    [Fact]
    public void EveryViewHasAPublicParameterlessToHtmlForVerso()
    {
        foreach (var type in WorkbenchExtension.ViewTypes)
        {
            var method = type.GetMethod("ToHtml", Type.EmptyTypes);
            Assert.NotNull(method);
            Assert.Equal(typeof(string), method!.ReturnType);
        }
        Assert.True(WorkbenchExtension.ViewTypes.Count >= 11);
    }

    [Fact]
    public void EnableWiresTheLiveDisplay()
    {
        var previous = (LiveDisplay.Current, HtmlOptions.Default);
        try
        {
            var display = new RecordingLiveDisplay();
            WorkbenchExtension.Enable(PlotlyLoading.Reference, display);
            var bar = new ProgressBar(1);
            bar.Show();
            bar.Complete();
            Assert.Equal(2, Assert.Single(display.Outputs).Renderings.Count);
        }
        finally { (LiveDisplay.Current, HtmlOptions.Default) = previous; }
    }

    [Fact]
    public void ThePackagedScriptEnablesTheExtension()
    {
        var dib = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "Workbench.Extensions", "extension.dib"));
        Assert.StartsWith("#!meta", dib);
        Assert.Contains("#!csharp", dib);
        Assert.Contains("Workbench.Extensions.WorkbenchExtension.Enable(", dib);
        Assert.Contains("Microsoft.DotNet.Interactive.Kernel.display(", dib);
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Workbench.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no Workbench.sln above {AppContext.BaseDirectory}");
    }
}
