namespace Workbench.Extensions.Tests;

/// <summary>Live views outside a kernel: shown on a recording display, updated in place, throttled; or kept for ToHtml().</summary>
public sealed class LiveViewTests
{
    [Fact]
    public void TrainingCurvesUpdateTheirOutputInPlace()
    {
        var display = new RecordingLiveDisplay();
        var curves = new TrainingCurves { UpdateInterval = TimeSpan.Zero };
        curves.Show(display);
        foreach (var s in Samples.TrainSteps(3)) curves.Add(s);
        var output = Assert.Single(display.Outputs);                    // one output cell ...
        Assert.Equal(1 + 3, output.Renderings.Count);                    // ... shown, then replaced at each report
        Assert.Contains("step 30 ·", output.Latest);
        Assert.DoesNotContain("step 30 ·", output.Renderings[1]);
        Assert.Equal([(10.0, 1.0), (20.0, 0.5), (30.0, 1.0 / 3)], curves.Points("loss"));
    }

    [Fact]
    public void UpdatesAreThrottledButTheLastReportIsAlwaysShown()
    {
        var display = new RecordingLiveDisplay();
        var curves = new TrainingCurves { UpdateInterval = TimeSpan.FromHours(1) };
        curves.Show(display);
        var steps = Samples.TrainSteps(5).ToList();
        foreach (var s in steps) curves.Add(s);                          // the last has Progress = 1: forced
        var output = Assert.Single(display.Outputs);
        Assert.Equal(2, output.Renderings.Count);
        Assert.Contains("step 50 ·", output.Latest);
        curves.Add("val loss", 50, 0.3);
        Assert.Equal(2, output.Renderings.Count);
        Assert.True(curves.HasPendingChanges);
        curves.Flush();
        Assert.Equal(3, output.Renderings.Count);
        Assert.Contains("val loss", output.Latest);
    }

    [Fact]
    public void WithoutAKernelTheViewKeepsItsDataAndRendersTheCurrentState()
    {
        var curves = new TrainingCurves();
        curves.Show(NoKernelDisplay.Instance);
        curves.Add("loss", 1, 0.9);
        curves.Add("loss", 2, 0.4);
        var html = curves.ToHtml(HtmlOptions.Referenced);
        Assert.Contains("\"y\":[0.9,0.4]", html);
    }

    [Fact]
    public void AKernelDisplayIsTwoFunctions()
    {
        var shown = new List<object>();
        var updates = new List<object>();
        var display = new DelegateLiveDisplay(v => { shown.Add(v); return updates.Add; });
        var bar = new ProgressBar(3, "work") { UpdateInterval = TimeSpan.Zero };
        bar.Show(display);
        bar.Increment();
        bar.Complete();
        Assert.Same(bar, Assert.Single(shown));
        Assert.Equal(2, updates.Count);
        Assert.All(updates, u => Assert.Same(bar, u));
    }

    [Fact]
    public void ProgressBarEstimatesWhatIsLeft()
    {
        var time = new Samples.ManualTime();
        var bar = new ProgressBar(100, "eval", time);
        time.Advance(TimeSpan.FromSeconds(30));
        bar.Report(25);
        var html = bar.ToHtml(HtmlOptions.Referenced);
        Assert.Contains("25 / 100 (25.0%) · 0:30 · 1:30 left", html);
        Assert.Contains("width:25%", html);
        bar.Complete("done: FVD 212");
        Assert.Contains("· done", bar.ToHtml(HtmlOptions.Referenced));
        Assert.True(bar.IsComplete);
    }

    [Fact]
    public void TrackCountsALoop()
    {
        var display = new RecordingLiveDisplay();
        var items = ProgressBar.Track(Enumerable.Range(0, 4).ToList(), "items", display: display).ToList();
        Assert.Equal([0, 1, 2, 3], items);
        var output = Assert.Single(display.Outputs);
        Assert.Contains("4 / 4 (100.0%)", output.Latest);
    }

    [Fact]
    public void ReportsFromAnotherThreadAreSafe()
    {
        var curves = new TrainingCurves { UpdateInterval = TimeSpan.Zero };
        curves.Show(new RecordingLiveDisplay());
        Parallel.For(0, 200, i => curves.Add($"s{i % 4}", i, i + 1));
        Assert.Equal(200, curves.Series.Sum(s => curves.Points(s).Count));
    }
}
