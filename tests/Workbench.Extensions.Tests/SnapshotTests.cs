namespace Workbench.Extensions.Tests;

/// <summary>
/// The HTML of every view against a committed snapshot (Snapshots/*.html, see <see cref="Snapshot"/>), rendered with
/// plotly.js referenced (so the snapshots stay small; inlining is tested in <see cref="PlotlyJsTests"/>).
/// </summary>
public sealed class SnapshotTests
{
    private static readonly HtmlOptions Options = HtmlOptions.Referenced;

    [Fact]
    public void FigureGridOfLineScatterHeatmapBarAndSurface()
    {
        var line = Chart.Line([0, 1, 2, 3], [1, 0.5, 0.25, double.NaN], "halving").WithXAxis("step").WithYAxis("loss", log: true);
        var scatter = Chart.Scatter([0, 1, 2], [2, 1, 3], "points");
        var heat = Chart.Heatmap(new double[,] { { 0, 1, 2 }, { 3, 4, 5 } });
        var bar = Chart.Bar(["joint", "factorized"], [210, 260], "FVD");
        var surface = Chart.Surface([[0, 1], [1, 2]]);
        var grid = Chart.Grid(2, 3, [Chart.Combine(line, scatter), heat, bar, surface], ["line + scatter", "heatmap", "bar", "surface"])
            .WithTitle("a grid").WithSize(900, 600);
        Snapshot.Match("figure-grid", grid.ToHtml(Options));
    }

    [Fact]
    public void FigureAnimationWithSlider()
    {
        var frames = Enumerable.Range(0, 3).Select(i => ($"{i}", Chart.Line([0, 1, 2], [i, i + 1, i * i], "y").WithTitle($"frame {i}"))).ToList();
        Snapshot.Match("figure-animation", Chart.Animate(frames, frameMilliseconds: 250, sliderPrefix: "i = ").ToHtml(Options));
    }

    [Fact]
    public void ClipPlayerComparingTwoClips()
    {
        var player = ClipPlayer.Compare(
            ("per-frame", Samples.MovingSquare()),
            ("spacetime", Samples.MovingSquare(frames: 3, color: (40, 200, 60), caption: "a green square")));
        Snapshot.Match("clip-player", player.ToHtml(Options));
    }

    [Fact]
    public void ImageGridOfAClip() => Snapshot.Match("image-grid", ImageGrid.FromClip(Samples.MovingSquare()).ToHtml(Options));

    [Fact]
    public void LatentChannelsAsHeatmaps() =>
        Snapshot.Match("latent-channels", new LatentChannels(Samples.LatentValues(2, 3, 2, 3), 2, 3, 2, 3).ToHtml(Options));

    [Fact]
    public void LatentLoafWithPatchGrid() =>
        Snapshot.Match("latent-loaf", new LatentLoaf(Samples.LatentValues(1, 2, 2, 4), 2, 2, 4, (1, 2, 2), "channel 0").ToHtml(Options));

    [Fact]
    public void AttentionMap() =>
        Snapshot.Match("attention-map", new AttentionMapView(Samples.SyntheticAttention((2, 2, 3))).ToHtml(Options));

    [Fact]
    public void DenoisingProgress() => Snapshot.Match("denoising", new DenoisingView(Samples.DenoisingFrames(), "1 − ᾱ").ToHtml(Options));

    [Fact]
    public void TrainingCurvesAfterFiveSteps()
    {
        var curves = new TrainingCurves("VAE");
        foreach (var s in Samples.TrainSteps()) curves.Add(s);
        Snapshot.Match("training-curves", curves.ToHtml(Options));
    }

    [Fact]
    public void FvdAcrossRuns()
    {
        Snapshot.Match("runs-fvd-vs-step", RunComparison.FvdVsStep(Samples.Runs()).ToHtml(Options));
        Snapshot.Match("runs-fvd-vs-compute", RunComparison.FvdVsCompute(Samples.ComputeRuns()).ToHtml(Options));
    }

    [Fact]
    public void ProgressBarPartWayAndDone()
    {
        var time = new Samples.ManualTime();
        var bar = new ProgressBar(10, "sampling", time);
        time.Advance(TimeSpan.FromSeconds(8));
        bar.Report(4);
        bar.Message = "step 4: t = 0.6";
        Snapshot.Match("progress-part-way", bar.ToHtml(Options));
        time.Advance(TimeSpan.FromSeconds(12));
        bar.Complete();
        Snapshot.Match("progress-done", bar.ToHtml(Options));
    }

    [Fact]
    public void PageOfViews()
    {
        var page = new HtmlPage("two views")
            .Add(Chart.Line([1, 2, 3]), "a line")
            .Add(ImageGrid.FromClip(Samples.MovingSquare(frames: 2)));
        Snapshot.Match("page", page.ToHtml(HtmlOptions.Referenced));
    }

    [Fact]
    public void NormalizingNumbersIdsInOrderAndHashesPixels()
    {
        var a = Snapshot.Normalize("<div id=\"wb0123abcd\"></div><script>f('wb0123abcd','wbffffffff')</script>");
        Assert.Equal("<div id=\"wbID1\">\n</div>\n<script>f('wbID1','wbID2')</script>\n", a);
        var red = new Image([255, 0, 0], 1, 1, 3);
        var blue = new Image([0, 0, 255], 1, 1, 3);
        Assert.NotEqual(Snapshot.Normalize(Html(red)), Snapshot.Normalize(Html(blue)));
        Assert.Equal(Snapshot.Normalize(Html(red)), Snapshot.Normalize(Html(new Image([255, 0, 0], 1, 1, 3))));
        static string Html(Image i) => "data:image/png;base64," + Convert.ToBase64String(Png.Encode(i));
    }
}
