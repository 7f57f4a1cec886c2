using Microsoft.Playwright;
using Workbench.Models.Attention;

namespace Workbench.Extensions.Tests;

/// <summary>
/// One headless chromium (Debian's, /usr/bin/chromium, offline) for the browser tests; absent chromium skips them.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private string? _userData;

    public IBrowserContext? Context { get; private set; }

    /// <summary>Screenshots and pages land here (bin/.../artifacts/browser), never in the source tree.</summary>
    public static string Artifacts { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts", "browser");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Chromium)) return;
        Directory.CreateDirectory(Artifacts);
        _playwright = await Playwright.CreateAsync();
        _userData = Directory.CreateTempSubdirectory("wb-chromium-").FullName;
        Context = await _playwright.Chromium.LaunchPersistentContextAsync(_userData, new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            // PACKAGES.md's offline flags; SwiftShader gives the 3D views (surface, latent loaf) WebGL without a GPU.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
            ViewportSize = new() { Width = 1280, Height = 900 },
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Context is not null) await Context.CloseAsync();
        _playwright?.Dispose();
        if (_userData is not null) try { Directory.Delete(_userData, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// Pages of views opened in a real browser: every plot renders (plotly's SVG is there) with no console errors, the clip
/// player advances when played, the attention map changes when another query is picked. Screenshots are saved to
/// <see cref="BrowserFixture.Artifacts"/>.
/// </summary>
public sealed class BrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private async Task<(IPage Page, List<string> Errors)> Open(HtmlPage html, string name, HtmlOptions? options = null)
    {
        Assert.SkipWhen(browser.Context is null, $"{BrowserFixture.Chromium} is not installed (bash scripts/setup.sh installs it)");
        var path = Path.Combine(BrowserFixture.Artifacts, name + ".html");
        html.Save(path, options);
        var page = await browser.Context!.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add($"console: {m.Text}"); };
        page.PageError += (_, e) => errors.Add($"page error: {e}");
        await page.GotoAsync(new Uri(path).AbsoluteUri);
        return (page, errors);
    }

    private static async Task Screenshot(IPage page, string name, ILocator? element = null)
    {
        var path = Path.Combine(BrowserFixture.Artifacts, name + ".png");
        if (element is null) await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        else await element.ScreenshotAsync(new() { Path = path });
        Assert.True(new FileInfo(path).Length > 1000, $"screenshot {path} is empty");
    }

    [Fact]
    public async Task EveryViewRendersWithoutConsoleErrors()
    {
        var curves = new TrainingCurves("live training");
        curves.Show(new RecordingLiveDisplay());
        foreach (var s in Samples.TrainSteps(20)) curves.Add(s);
        var progress = new ProgressBar(10, "sampling");
        progress.Report(6);
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(3);
        var latent = Tensor.Randn([4, 4, 8, 8], generator: generator);
        var views = new (string Name, IHtmlView View, bool Plotly)[]
        {
            ("figure", Chart.Grid(2, 2, [Chart.Line([1, 0.5, 0.25], "loss"), Chart.Heatmap(new double[,] { { 0, 1 }, { 2, 3 } }),
                Chart.Bar(["a", "b"], [1, 2]), Chart.Surface([[0, 1], [1, 0]])], ["line", "heatmap", "bar", "surface"]), true),
            ("clip-player", ClipPlayer.Compare(("per-frame", Samples.MovingSquare(8, 16)), ("spacetime", Samples.MovingSquare(8, 16, (40, 200, 60)))), false),
            ("image-grid", ImageGrid.FromClip(Samples.MovingSquare(6, 16)), false),
            ("latent-channels", new LatentChannels(latent), true),
            ("latent-loaf", new LatentLoaf(latent, (1, 2, 2)), true),
            ("attention", new AttentionMapView(Samples.ModelAttention(AttentionLayout.Factorized, AttentionMaps.AllTokens((3, 2, 3)))), true),
            ("denoising", new DenoisingView(Samples.DenoisingFrames(4), "1 − ᾱ"), true),
            ("training", curves, true),
            ("fvd-vs-step", RunComparison.FvdVsStep(Samples.Runs()), true),
            ("fvd-vs-compute", RunComparison.FvdVsCompute(Samples.ComputeRuns()), true),
            ("progress", progress, false),
        };
        var html = new HtmlPage("every view");
        foreach (var (name, view, _) in views) html.Add(view, name);
        var (page, errors) = await Open(html, "all-views");
        int plots = views.Count(v => v.Plotly);
        await page.WaitForFunctionAsync($"document.querySelectorAll('[data-plotted]').length === {plots}", null, new() { Timeout = 60_000 });
        var sections = page.Locator("section.wb-section");
        Assert.Equal(views.Length, await sections.CountAsync());
        for (int i = 0; i < views.Length; i++)
        {
            var section = sections.Nth(i);
            if (views[i].Plotly)
            {
                Assert.True(await section.Locator(".js-plotly-plot svg.main-svg").CountAsync() > 0, $"{views[i].Name}: no plotly SVG");
                Assert.True(await section.Locator(".js-plotly-plot .plot, .js-plotly-plot .gl-container, .js-plotly-plot .scene").CountAsync() > 0, $"{views[i].Name}: nothing plotted");
            }
            await Screenshot(page, "all-views-" + views[i].Name, section);
        }
        // Every training series was drawn, and the denoising animation has a frame per step.
        Assert.Equal(4, await page.EvaluateAsync<int>("document.querySelectorAll('section')[7].querySelector('.js-plotly-plot').data.length"));
        Assert.Equal(4, await page.EvaluateAsync<int>("document.querySelectorAll('section')[6].querySelector('.js-plotly-plot')._transitionData._frames.length"));
        // The denoising slider's method: animating to a step swaps the pictures and the title.
        const string denoising = "document.querySelectorAll('section')[6].querySelector('.js-plotly-plot')";
        var before = await page.EvaluateAsync<string>($"{denoising}.data[0].source");
        await page.EvaluateAsync($"Plotly.animate({denoising}, ['3'], {{mode: 'immediate', frame: {{duration: 0, redraw: true}}, transition: {{duration: 0}}}})");
        await page.WaitForFunctionAsync($"{denoising}.querySelector('.gtitle').textContent.indexOf('step 3 / 4') >= 0");
        Assert.NotEqual(before, await page.EvaluateAsync<string>($"{denoising}.data[0].source"));
        await Screenshot(page, "all-views-denoising-step3", sections.Nth(6));
        await Screenshot(page, "all-views");
        Assert.Empty(errors);
        await page.CloseAsync();
    }

    [Fact]
    public async Task TheClipPlayerAdvancesFramesWhenPlayed()
    {
        var player = new ClipPlayer([("per-frame", Samples.MovingSquare(6, 16)), ("spacetime", Samples.MovingSquare(6, 16, (40, 200, 60)))]) { Fps = 20 };
        // No plotly.js on this page: a player needs none (and Referenced mode would load it only for a plot).
        var (page, errors) = await Open(new HtmlPage("player").Add(player), "clip-player", HtmlOptions.Referenced);
        var root = page.Locator(".wb-player");
        await page.WaitForFunctionAsync("document.querySelector('canvas.wb-canvas').toDataURL().length > 2000");
        var first = await page.EvaluateAsync<string>("document.querySelector('canvas.wb-canvas').toDataURL()");
        Assert.Equal("0", await root.GetAttributeAsync("data-frame"));
        await Screenshot(page, "clip-player-frame0", root);
        await page.ClickAsync(".wb-play");
        await page.WaitForFunctionAsync("+document.querySelector('.wb-player').getAttribute('data-frame') >= 2");
        Assert.Equal("1", await root.GetAttributeAsync("data-playing"));
        await page.ClickAsync(".wb-play");                                                  // pause
        Assert.Equal("0", await root.GetAttributeAsync("data-playing"));
        var frame = await root.GetAttributeAsync("data-frame");
        await page.WaitForTimeoutAsync(200);
        Assert.Equal(frame, await root.GetAttributeAsync("data-frame"));                   // paused: it stays
        var later = await page.EvaluateAsync<string>("document.querySelector('canvas.wb-canvas').toDataURL()");
        Assert.NotEqual(first, later);                                                      // the canvas shows another frame
        await page.EvaluateAsync("var s=document.querySelector('.wb-slider');s.value='4';s.dispatchEvent(new Event('input'))");   // scrub
        Assert.Equal("4", await root.GetAttributeAsync("data-frame"));
        Assert.Equal("5 / 6", await page.Locator(".wb-counter").TextContentAsync());
        await Screenshot(page, "clip-player-frame4", root);
        Assert.Empty(errors);
        await page.CloseAsync();
    }

    [Fact]
    public async Task TheAttentionMapChangesWhenAnotherQueryIsPicked()
    {
        var maps = Samples.ModelAttention(AttentionLayout.Joint);
        var (page, errors) = await Open(new HtmlPage("attention").Add(new AttentionMapView(maps)), "attention");
        await page.WaitForFunctionAsync("document.querySelector('[data-plotted]') !== null", null, new() { Timeout = 60_000 });
        var view = page.Locator(".wb-attention");
        const string z = "JSON.stringify(document.querySelector('.wb-attention .js-plotly-plot').data.map(function(t){return t.z;}))";
        const string picture = "Array.from(document.querySelectorAll('.wb-attention .js-plotly-plot .heatmaplayer image')).map(function(i){return i.href.baseVal;}).join('|')";
        const string shapes = "JSON.stringify(document.querySelector('.wb-attention .js-plotly-plot').layout.shapes.map(function(s){return [s.xref,s.x0,s.y0];}))";
        var z0 = await page.EvaluateAsync<string>(z);
        var image0 = await page.EvaluateAsync<string>(picture);
        var shapes0 = await page.EvaluateAsync<string>(shapes);
        Assert.Equal("1,1,1|joint", await view.GetAttributeAsync("data-query"));
        Assert.Contains("own frame", await page.Locator(".wb-stats").TextContentAsync());
        Assert.StartsWith("data:image/png", image0);
        await Screenshot(page, "attention-query-1-1-1", view);

        await page.SelectOptionAsync(".wb-qt", "2");
        await page.SelectOptionAsync(".wb-qw", "0");
        await page.WaitForFunctionAsync("document.querySelector('.wb-attention').getAttribute('data-query') === '2,1,0|joint'");
        await page.WaitForFunctionAsync($"({picture}) !== {System.Text.Json.JsonSerializer.Serialize(image0)}");
        Assert.NotEqual(z0, await page.EvaluateAsync<string>(z));
        Assert.NotEqual(shapes0, await page.EvaluateAsync<string>(shapes));
        var expected = maps.Find((2, 1, 0))!.Weights;
        var shown = await page.EvaluateAsync<double>("document.querySelector('.wb-attention .js-plotly-plot').data[2].z[1][0]");
        Assert.Equal(expected[(2 * 2 + 1) * 3 + 0], shown, 1e-3);                           // frame 2, row 1, column 0
        await Screenshot(page, "attention-query-2-1-0", view);
        Assert.Empty(errors);
        await page.CloseAsync();
    }
}
