using System.Globalization;

namespace Workbench.Notebooks;

/// <summary>
/// <c>workbench notebook run</c> without the command line: runs a notebook file with a progress line per cell, writes
/// the HTML page and/or the executed notebook (also when a cell fails, up to and including that cell), and returns
/// the exit code (0, or 1 when a cell failed).
/// </summary>
public static class NotebookJob
{
    /// <param name="htmlPath">The page to write; null: <c>NAME.html</c> next to the notebook.</param>
    /// <param name="executedPath">The executed notebook to write; null: none.</param>
    /// <param name="log">Progress, warnings, the failure and where files went.</param>
    public static async Task<int> RunAsync(string notebookPath, string? htmlPath, string? executedPath, TimeSpan? cellTimeout, TextWriter log,
        CancellationToken cancellationToken = default)
    {
        var path = Path.GetFullPath(notebookPath);
        if (!File.Exists(path)) throw new FileNotFoundException($"notebook {notebookPath} does not exist", notebookPath);
        htmlPath = Path.GetFullPath(htmlPath ?? Path.ChangeExtension(path, ".html"));
        executedPath = executedPath is null ? null : Path.GetFullPath(executedPath);
        var notebook = Notebook.Load(path);

        var runner = new NotebookRunner(new NotebookRunnerOptions { CellTimeout = cellTimeout });
        var warnings = new List<string>();
        runner.Warning += (_, warning) => warnings.Add(warning);
        runner.CellStarting += (_, e) => { log.Write($"[{e.Ordinal}/{e.Count}] cell {e.Cell}: {Shorten(e.FirstLine)} ..."); log.Flush(); };
        runner.CellFinished += (_, e) =>
        {
            log.WriteLine(e.Failure is null ? $" {Seconds(e.Elapsed)}" : $" failed after {Seconds(e.Elapsed)}");
            foreach (var warning in warnings) log.WriteLine($"  warning: {warning}");
            warnings.Clear();
        };

        var result = await runner.RunAsync(notebook, Path.GetDirectoryName(path)!, cancellationToken);
        if (result.Failure is { } failure) log.WriteLine(failure.ToString());

        NotebookHtml.Save(htmlPath, result.Notebook, Path.GetFileNameWithoutExtension(path), result);
        log.WriteLine($"wrote {htmlPath}");
        if (executedPath is not null)
        {
            result.Notebook.Save(executedPath);
            log.WriteLine($"wrote {executedPath}");
        }
        log.WriteLine(result.Succeeded
            ? $"{Path.GetFileName(path)}: every cell ran ({Seconds(result.Elapsed)})"
            : $"{Path.GetFileName(path)}: stopped at cell {result.Failure!.Cell}");
        return result.Succeeded ? 0 : 1;
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    private static string Shorten(string line) => line.Length <= 60 ? line : line[..57] + "...";
}
