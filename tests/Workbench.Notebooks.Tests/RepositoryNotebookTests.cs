namespace Workbench.Notebooks.Tests;

/// <summary>
/// Every notebook in the repository's notebooks/ folder runs headless without an error (as <c>workbench notebook
/// run</c> runs it), and its HTML page, opened in chromium, draws every plot and paints every clip player.
/// </summary>
public sealed class RepositoryNotebookTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string None = "(none)";

    public static TheoryData<string> Notebooks()
    {
        var folder = Path.Combine(TestNotebooks.RepositoryRoot(), "notebooks");
        var names = Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.ipynb").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList()
            : [];
        return new TheoryData<string>(names.Count > 0 ? names : [None]);
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task RunsAndItsPageRenders(string name)
    {
        Assert.SkipWhen(name == None, "the repository has no notebooks/*.ipynb yet");
        var path = Path.Combine(TestNotebooks.RepositoryRoot(), "notebooks", name);
        var html = Path.Combine(BrowserFixture.Artifacts, "notebooks", Path.ChangeExtension(name, ".html"));
        var log = new StringWriter();
        int exit = await NotebookJob.RunAsync(path, html, executedPath: null, cellTimeout: TimeSpan.FromMinutes(10), log, TestContext.Current.CancellationToken);
        Assert.True(exit == 0, $"{name} failed:\n{log}");

        var (page, errors) = await browser.Open(html);
        await BrowserFixture.ExpectPlotsDrawn(page, errors, Path.GetFileNameWithoutExtension(name));
        // Every clip player painted its first frame (some pixel is not black).
        await page.WaitForFunctionAsync("Array.from(document.querySelectorAll('canvas.wb-canvas')).every(function(c){" +
            "var d=c.getContext('2d').getImageData(0,0,c.width,c.height).data;for(var i=0;i<d.length;i+=4)if(d[i]||d[i+1]||d[i+2])return true;return false;})",
            null, new() { Timeout = 60_000 });
        await page.CloseAsync();
    }
}
