using Microsoft.Playwright;
using static Workbench.Notebooks.Tests.TestNotebooks;

namespace Workbench.Notebooks.Tests;

/// <summary>
/// One headless chromium (Debian's, /usr/bin/chromium, offline) for the page tests, as in Workbench.Extensions.Tests;
/// absent chromium skips them.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private string? _userData;

    public IBrowserContext? Context { get; private set; }

    /// <summary>Pages and screenshots land here (bin/.../artifacts/browser), never in the source tree.</summary>
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

    /// <summary>Opens a page file, collecting console errors, page errors and requests that left the machine.</summary>
    public async Task<(IPage Page, List<string> Errors)> Open(string path)
    {
        Assert.SkipWhen(Context is null, $"{Chromium} is not installed (bash scripts/setup.sh installs it)");
        var page = await Context!.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add($"console: {m.Text}"); };
        page.PageError += (_, e) => errors.Add($"page error: {e}");
        page.Request += (_, r) => { if (!r.Url.StartsWith("file:", StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal)) errors.Add($"network: {r.Url}"); };
        await page.GotoAsync(new Uri(path).AbsoluteUri);
        return (page, errors);
    }

    /// <summary>
    /// Waits until every plotly figure on the page has drawn (a figure marks its plot data-plotted), checks each has
    /// plotly's SVG, saves a screenshot and fails on any error or network request.
    /// </summary>
    public static async Task ExpectPlotsDrawn(IPage page, List<string> errors, string name)
    {
        await page.WaitForFunctionAsync("document.querySelectorAll('.wb-figure [data-plotted]').length === document.querySelectorAll('.wb-figure').length",
            null, new() { Timeout = 120_000 });
        Assert.Equal(0, await page.EvaluateAsync<int>("Array.from(document.querySelectorAll('.wb-figure')).filter(function(f){return !f.querySelector('.js-plotly-plot svg.main-svg');}).length"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, name + ".png"), FullPage = true });
        Assert.True(errors.Count == 0, $"{name}: {string.Join("; ", errors)}");
    }
}

/// <summary>
/// The runner's HTML page of a small notebook in a real browser: offline (no request leaves the machine), plotly.js
/// inlined once, the figure drawn as plotly SVG, the clip player's canvas painted, the progress bar at its final state.
/// </summary>
public sealed class BrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task TheRunnersPageDrawsThePlotAndThePlayer()
    {
        var folder = Folder(nameof(TheRunnersPageDrawsThePlotAndThePlayer));
        var notebook = Path.Combine(folder, "views.ipynb");
        File.Copy(Sample("views"), notebook);
        var html = Path.Combine(BrowserFixture.Artifacts, "views.html");
        Directory.CreateDirectory(BrowserFixture.Artifacts);
        int exit = await NotebookJob.RunAsync(notebook, html, null, null, TextWriter.Null, TestContext.Current.CancellationToken);
        Assert.Equal(0, exit);
        var text = File.ReadAllText(html);
        Assert.Equal(1, Count(text, Marker));                 // plotly.js once, in the head
        Assert.True(text.IndexOf("window.__wbDefine", StringComparison.Ordinal) < text.IndexOf("</head>", StringComparison.Ordinal));

        var (page, errors) = await browser.Open(html);
        await page.WaitForFunctionAsync("document.querySelector('[data-plotted]') !== null", null, new() { Timeout = 60_000 });
        var plot = page.Locator("#cell-3 .js-plotly-plot");
        Assert.Equal(1, await plot.CountAsync());
        Assert.True(await plot.Locator("svg.main-svg").CountAsync() > 0, "no plotly SVG");
        Assert.Equal(5, await page.EvaluateAsync<int>("document.querySelector('#cell-3 .js-plotly-plot').data[0].y.length"));
        Assert.True(await plot.Locator(".scatterlayer .trace path.js-line").CountAsync() > 0, "the line was not drawn");

        // The player's canvas: the first frame painted, with the red square (230, 40, 40) at its place.
        await page.WaitForFunctionAsync("(function(){var c=document.querySelector('#cell-4 canvas.wb-canvas');" +
            "if(!c||!c.width)return false;var d=c.getContext('2d').getImageData(0,0,c.width,c.height).data;" +
            "for(var i=0;i<d.length;i+=4)if(d[i]||d[i+1]||d[i+2])return true;return false;})()");
        var counts = await page.EvaluateAsync<int[]>("(function(){var c=document.querySelector('#cell-4 canvas.wb-canvas');" +
            "var d=c.getContext('2d').getImageData(0,0,c.width,c.height).data,red=0;" +
            "for(var i=0;i<d.length;i+=4)if(d[i]>200&&d[i+1]<80&&d[i+2]<80)red++;return [c.width,red];})()");
        var (width, red) = (counts[0], counts[1]);
        Assert.True(width >= 16, $"canvas width {width}");
        int scale = width / 16;
        Assert.Equal(4 * 4 * scale * scale, red);                                          // the 4×4 square, scaled up

        Assert.Equal("1", await page.Locator("#cell-5 .wb-progress").GetAttributeAsync("data-fraction"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.Artifacts, "views.png"), FullPage = true });
        Assert.True(errors.Count == 0, string.Join("; ", errors));
        await page.CloseAsync();
    }

    [Fact]
    public async Task ANotebookThatEnablesTheViewsItselfStillGetsOneCopyOfPlotly()
    {
        // Enable() picks InlineOnce: the executed notebook's first plot carries plotly.js; the page keeps only the head's copy.
        var bin = AppContext.BaseDirectory;
        var notebook = TestNotebooks.Code($"#r \"{bin}Workbench.dll\"\n#r \"{bin}Workbench.Extensions.dll\"\nWorkbench.Extensions.WorkbenchExtension.Enable();",
            "Workbench.Extensions.Plotly.Chart.Line(new double[] { 1, 2, 3 }, \"a\")", "Workbench.Extensions.Plotly.Chart.Bar(new[] { \"x\", \"y\" }, new double[] { 1, 2 })");
        var result = await Run(notebook, nameof(ANotebookThatEnablesTheViewsItselfStillGetsOneCopyOfPlotly));
        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Contains(Marker, Single(result.Notebook.Cells[1], OutputType.ExecuteResult).Data["text/html"]);
        Assert.DoesNotContain(Marker, Single(result.Notebook.Cells[2], OutputType.ExecuteResult).Data["text/html"]);
        var html = Path.Combine(BrowserFixture.Artifacts, "enabled-by-the-notebook.html");
        NotebookHtml.Save(html, result.Notebook, "enabled by the notebook", result);
        Assert.Equal(1, Count(File.ReadAllText(html), Marker));

        var (page, errors) = await browser.Open(html);
        await BrowserFixture.ExpectPlotsDrawn(page, errors, "enabled-by-the-notebook");
        Assert.Equal(2, await page.Locator(".wb-figure").CountAsync());
        await page.CloseAsync();
    }

    private const string Marker = "window.__wbDefine=window.define;";

    private static int Count(string text, string part)
    {
        int n = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
