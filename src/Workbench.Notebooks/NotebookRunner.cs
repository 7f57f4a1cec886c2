using System.Diagnostics;
using Workbench.Extensions;

namespace Workbench.Notebooks;

public sealed record NotebookRunnerOptions
{
    /// <summary>Where <c>#r "nuget: Workbench..."</c> is resolved (the runner's folder by default).</summary>
    public WorkbenchPackages Packages { get; init; } = WorkbenchPackages.Default;

    /// <summary>A cell that runs longer fails the run (null: no limit).</summary>
    public TimeSpan? CellTimeout { get; init; }
}

/// <summary>A code cell starting or done: <see cref="Ordinal"/> of <see cref="Count"/> code cells, <see cref="Cell"/> counting every cell.</summary>
public sealed class CellEventArgs(int cell, int ordinal, int count, NotebookCell notebookCell) : EventArgs
{
    public int Cell { get; } = cell;
    public int Ordinal { get; } = ordinal;
    public int Count { get; } = count;
    public NotebookCell NotebookCell { get; } = notebookCell;
    public TimeSpan Elapsed { get; init; }
    public CellFailure? Failure { get; init; }

    /// <summary>The cell's first line that is not blank (what a progress line shows of it).</summary>
    public string FirstLine =>
        NotebookCell.Source.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("#!", StringComparison.Ordinal)) ?? "";
}

public sealed record NotebookRunResult(Notebook Notebook, CellFailure? Failure, IReadOnlyList<string> Warnings, TimeSpan Elapsed)
{
    public bool Succeeded => Failure is null;
}

/// <summary>
/// Runs a notebook's cells in order, the way a .NET Interactive kernel would, and fills in their outputs: C# through
/// Roslyn scripting with state carried from cell to cell, Markdown parts shown, other kernels skipped with a warning.
/// Console output, <c>display(...)</c>, live views and each cell's value become outputs, formatted by the kernel's
/// formatters. The first failing cell stops the run with an error output saying where and why. While it runs the
/// current directory is the notebook's folder (as in Jupyter) and the console is captured: one run at a time per
/// process.
/// </summary>
public sealed class NotebookRunner(NotebookRunnerOptions? options = null)
{
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);
    private readonly NotebookRunnerOptions _options = options ?? new NotebookRunnerOptions();

    public event EventHandler<CellEventArgs>? CellStarting;
    public event EventHandler<CellEventArgs>? CellFinished;
    /// <summary>Something the runner did differently from a kernel (a skipped F# part, an ignored magic command).</summary>
    public event EventHandler<string>? Warning;

    /// <summary>Runs the notebook file; its folder is the current directory while it runs.</summary>
    public Task<NotebookRunResult> RunAsync(string path, CancellationToken cancellationToken = default) =>
        RunAsync(Notebook.Load(path), Path.GetDirectoryName(Path.GetFullPath(path))!, cancellationToken);

    /// <summary>Runs <paramref name="notebook"/> (its outputs are replaced) with <paramref name="folder"/> as the current directory.</summary>
    public async Task<NotebookRunResult> RunAsync(Notebook notebook, string folder, CancellationToken cancellationToken = default)
    {
        folder = Path.GetFullPath(folder);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"the notebook's folder {folder} does not exist");
        foreach (var cell in notebook.Cells.Where(c => c.Type == CellType.Code))
        {
            cell.Outputs.Clear();
            cell.ExecutionCount = null;
        }
        await OneAtATime.WaitAsync(cancellationToken);
        var warnings = new List<string>();
        var clock = Stopwatch.StartNew();
        var session = new NotebookSession(folder, _options.Packages);
        var thread = new CellThread();
        var (stdout, stderr, directory) = (Console.Out, Console.Error, Directory.GetCurrentDirectory());
        var (liveDisplay, htmlOptions) = (Extensions.LiveDisplay.Current, HtmlOptions.Default);
        CellFailure? failure = null;
        try
        {
            Directory.SetCurrentDirectory(folder);
            Console.SetOut(new RecordingWriter(() => session.Current, "stdout", stdout));
            Console.SetError(new RecordingWriter(() => session.Current, "stderr", stderr));
            Extensions.LiveDisplay.Current = session.LiveDisplay;
            Extensions.Plotly.PlotlyJs.ResetInlineOnce();          // a new notebook: InlineOnce inlines plotly.js in its first plot
            await thread.Run(() => { session.Start(); return 0; });

            int count = notebook.Cells.Count(c => c.Type == CellType.Code), ordinal = 0;
            for (int index = 0; index < notebook.Cells.Count && failure is null; index++)
            {
                var cell = notebook.Cells[index];
                if (cell.Type != CellType.Code) continue;
                int number = index + 1;
                var args = new CellEventArgs(number, ++ordinal, count, cell);
                CellStarting?.Invoke(this, args);
                var cellClock = Stopwatch.StartNew();
                cell.ExecutionCount = ordinal;
                var recorder = new CellRecorder(cell);
                session.Current = recorder;
                failure = await RunCell(session, thread, notebook, recorder, number, warnings, cancellationToken);
                session.RenderLiveViews();
                foreach (var output in cell.Outputs.Where(o => o.Type == OutputType.ExecuteResult)) output.ExecutionCount = ordinal;
                if (failure is not null) recorder.Add(failure.ToOutput());
                CellFinished?.Invoke(this, new CellEventArgs(number, ordinal, count, cell) { Elapsed = cellClock.Elapsed, Failure = failure });
            }
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
            Extensions.LiveDisplay.Current = liveDisplay;
            HtmlOptions.Default = htmlOptions;
            Directory.SetCurrentDirectory(directory);
            thread.Dispose();
            OneAtATime.Release();
        }
        return new NotebookRunResult(notebook, failure, warnings, clock.Elapsed);
    }

    private async Task<CellFailure?> RunCell(NotebookSession session, CellThread thread, Notebook notebook, CellRecorder recorder, int number,
        List<string> warnings, CancellationToken cancellationToken)
    {
        var cell = recorder.Cell;
        var notes = new List<string>();
        var parts = CellSource.Split(cell.Source, cell.KernelName ?? notebook.DefaultKernel, notes);
        foreach (var note in notes) Warn(warnings, $"cell {number}, {note}");
        foreach (var part in parts)
        {
            switch (part.Kernel)
            {
                case CellKernel.Markdown:
                    recorder.Add(CellOutput.Display(new Dictionary<string, string>
                    {
                        ["text/markdown"] = part.Code.Trim('\n'),
                        [OutputFormatting.Html] = Markdown.ToHtml(part.Code),
                    }));
                    continue;
                case CellKernel.Other:
                    Warn(warnings, $"cell {number}, line {part.FirstLine}: a #!{part.KernelName} part was skipped (the runner runs C# only)");
                    continue;
            }
            foreach (var package in part.Packages)
            {
                try
                {
                    session.Reference([package]);
                }
                catch (PackageNotFoundException e)
                {
                    return new CellFailure(number, package.Line, package.Text, "PackageNotFound", e.Message);
                }
            }
            var run = thread.Run(() => session.Execute(part, number, cell.Source));
            try
            {
                var failure = _options.CellTimeout is { } limit ? await run.WaitAsync(limit, cancellationToken) : await run.WaitAsync(cancellationToken);
                if (failure is not null) return failure;
            }
            catch (TimeoutException)
            {
                return new CellFailure(number, null, null, "Timeout", $"the cell ran longer than {_options.CellTimeout!.Value.TotalSeconds:0.#} s and was abandoned");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return new CellFailure(number, null, null, "Cancelled", "the run was cancelled while this cell ran");
            }
        }
        return null;
    }

    private void Warn(List<string> warnings, string message)
    {
        warnings.Add(message);
        Warning?.Invoke(this, message);
    }
}
