using Microsoft.DotNet.Interactive.Formatting;
using Workbench.Extensions;
using static Workbench.Notebooks.Tests.TestNotebooks;

[assembly: CollectionBehavior(DisableTestParallelization = true)]   // runs share the console, the current directory and the formatters

namespace Workbench.Notebooks.Tests;

/// <summary>Cells run in order with state carried over; values, displays and console text become outputs.</summary>
public sealed class RunnerTests
{
    [Fact]
    public async Task StateIsSharedAcrossCells()
    {
        var result = await Run(Code("var x = 20;", "int Twice(int v) => 2 * v;", "using System.Numerics;", "Twice(x) + (int)BigInteger.One + 1"), nameof(StateIsSharedAcrossCells));
        Assert.True(result.Succeeded, result.Failure?.ToString());
        var value = Single(result.Notebook.Cells[3], OutputType.ExecuteResult);
        Assert.Equal("42", value.Data["text/plain"]);
        Assert.Contains("<pre>42</pre>", value.Data["text/html"]);                   // the kernel's HTML formatter for numbers
        Assert.Equal(4, value.ExecutionCount);
        Assert.All(result.Notebook.Cells.Take(3), c => Assert.Empty(c.Outputs));       // statements show nothing
    }

    [Fact]
    public async Task TheSampleNotebookShowsItsValuesDisplaysAndConsoleText()
    {
        var result = await new NotebookRunner().RunAsync(Sample("basics"), TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, result.Failure?.ToString());
        var cells = result.Notebook.Cells;
        Assert.Equal("sum 6\n", Single(cells[1], OutputType.Stream).Text.ToString());
        var displayed = Single(cells[2], OutputType.DisplayData);
        Assert.Contains("<table>", displayed.Data["text/html"]);                      // an object: the kernel's table
        Assert.Contains("shapes", displayed.Data["text/html"]);
        Assert.Contains("shapes", displayed.Data["text/plain"]);
        Assert.Equal("42", Single(cells[3], OutputType.ExecuteResult).Data["text/plain"]);
        var markdown = Single(cells[4], OutputType.DisplayData);
        Assert.Contains("<strong>rendered</strong>", markdown.Data["text/html"]);
        Assert.Equal("6", Single(cells[5], OutputType.ExecuteResult).Data["text/plain"]);   // a tensor sum through #r "nuget: Workbench, 0.1.0"
        Assert.Equal([null, 1, 2, 3, 4, 5], cells.Select(c => c.ExecutionCount));
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public async Task CellsStartOnOneThreadSoAScopeSpansCells()
    {
        // DisposeScope is per thread: a tensor made in the second cell belongs to the scope entered in the first only
        // when both cells run on the same thread.
        var result = await Run(Code("#r \"nuget: Workbench\"\nusing Workbench.Torch;\nvar scope = DisposeScope.Enter();",
            "var ones = Tensor.Ones(new long[] { 2, 3 });", "(DisposeScope.Current == scope, scope.Count)", "scope.Dispose();\nones.IsDisposed"),
            nameof(CellsStartOnOneThreadSoAScopeSpansCells));
        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal("( True, 1 )", Single(result.Notebook.Cells[2], OutputType.ExecuteResult).Data["text/plain"]);
        Assert.Equal("True", Single(result.Notebook.Cells[3], OutputType.ExecuteResult).Data["text/plain"]);
    }

    [Fact]
    public async Task ConsoleTextAndDisplaysKeepTheirOrder()
    {
        var result = await Run(Code("Console.WriteLine(\"a\");\ndisplay(1);\nConsole.Error.WriteLine(\"b\");\nConsole.Write(\"c\");\nConsole.WriteLine(\"d\");"), nameof(ConsoleTextAndDisplaysKeepTheirOrder));
        Assert.True(result.Succeeded, result.Failure?.ToString());
        var outputs = result.Notebook.Cells[0].Outputs;
        Assert.Equal([OutputType.Stream, OutputType.DisplayData, OutputType.Stream, OutputType.Stream], outputs.Select(o => o.Type));
        Assert.Equal(["stdout", null, "stderr", "stdout"], outputs.Select(o => o.StreamName));
        Assert.Equal("a\n", outputs[0].Text.ToString());
        Assert.Equal("1", outputs[1].Data["text/plain"]);
        Assert.Equal("b\n", outputs[2].Text.ToString());
        Assert.Equal("cd\n", outputs[3].Text.ToString());                             // one stream output per run of writes
    }

    [Fact]
    public async Task ADisplayedValueIsUpdatedInPlace()
    {
        var result = await Run(Code("var shown = display(\"first\");", "shown.Update(\"second\");"), nameof(ADisplayedValueIsUpdatedInPlace));
        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal("second", Single(result.Notebook.Cells[0], OutputType.DisplayData).Data["text/plain"]);
        Assert.Empty(result.Notebook.Cells[1].Outputs);
    }

    [Fact]
    public async Task TheWorkbenchExtensionsPackageRegistersTheFormatters()
    {
        const string chart = "Workbench.Extensions.Plotly.Chart.Line(new double[] { 1, 0.5 }, \"loss\")";
        var bin = AppContext.BaseDirectory;
        // By path, as a plain assembly: no formatter, the kernel's default table for objects.
        Formatter.ResetToDefault();
        var byPath = await Run(Code($"#r \"{bin}Workbench.dll\"\n#r \"{bin}Workbench.Extensions.dll\"\n{chart}"), nameof(TheWorkbenchExtensionsPackageRegistersTheFormatters) + "-path");
        Assert.True(byPath.Succeeded, byPath.Failure?.ToString());
        Assert.DoesNotContain("wbPlotly(", Single(byPath.Notebook.Cells[0], OutputType.ExecuteResult).Data["text/html"]);
        // As the package: extension.dib's work is done, the figure renders as a plot that uses the page's plotly.js.
        Formatter.ResetToDefault();
        var package = await Run(Code("#r \"nuget: Workbench.Extensions, 0.1.0\"", chart), nameof(TheWorkbenchExtensionsPackageRegistersTheFormatters));
        Assert.True(package.Succeeded, package.Failure?.ToString());
        var html = Single(package.Notebook.Cells[1], OutputType.ExecuteResult).Data["text/html"];
        Assert.Contains("wbPlotly(", html);
        Assert.DoesNotContain("window.__wbDefine", html);                             // referenced, not inlined into the notebook
    }

    [Fact]
    public async Task ALiveViewKeepsItsLastStateEvenWhenALaterCellChangesIt()
    {
        var result = await Run(Code(
            "#r \"nuget: Workbench.Extensions\"\nvar bar = new Workbench.Extensions.ProgressBar(4, \"later\").Show();\nbar.Report(1);",
            "bar.Complete(\"finished\");"), nameof(ALiveViewKeepsItsLastStateEvenWhenALaterCellChangesIt));
        Assert.True(result.Succeeded, result.Failure?.ToString());
        var html = Single(result.Notebook.Cells[0], OutputType.DisplayData).Data["text/html"];
        Assert.Contains("data-fraction=\"1\"", html);
        Assert.Contains("finished", html);
        Assert.Empty(result.Notebook.Cells[1].Outputs);
        Assert.IsType<NoKernelDisplay>(LiveDisplay.Current);                             // the runner's display was only for the run
    }

    [Fact]
    public async Task ARelativeAssemblyReferenceIsFoundFromTheNotebooksFolder()
    {
        var folder = Folder(nameof(ARelativeAssemblyReferenceIsFoundFromTheNotebooksFolder));
        Directory.CreateDirectory(Path.Combine(folder, "lib"));
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Microsoft.Data.Sqlite.dll"), Path.Combine(folder, "lib", "Microsoft.Data.Sqlite.dll"));
        var notebook = Code("#r \"lib/Microsoft.Data.Sqlite.dll\"\nnew Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = \"runs.db\" }.ToString()");
        var result = await new NotebookRunner().RunAsync(notebook, folder, TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal("Data Source=runs.db", Single(result.Notebook.Cells[0], OutputType.ExecuteResult).Data["text/plain"]);
    }

    [Fact]
    public async Task CellsRunInTheNotebooksFolderAndTheCurrentDirectoryIsRestored()
    {
        var folder = Folder(nameof(CellsRunInTheNotebooksFolderAndTheCurrentDirectoryIsRestored));
        File.WriteAllText(Path.Combine(folder, "data.txt"), "hello");
        var before = Directory.GetCurrentDirectory();
        var result = await new NotebookRunner().RunAsync(Code("File.ReadAllText(\"data.txt\")"), folder, TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal("hello", Single(result.Notebook.Cells[0], OutputType.ExecuteResult).Data["text/plain"]);
        Assert.Equal(before, Directory.GetCurrentDirectory());
    }

    [Fact]
    public async Task MagicCommandsAndOtherKernelsAreSkippedWithAWarning()
    {
        var notebook = Code("#!time\nvar x = 1;\n#!fsharp\nlet y = 2\n#!csharp\nx + 1", "Get-ChildItem");
        notebook.Cells[1].Metadata = NotebookCell.CodeMetadata("pwsh");
        var result = await Run(notebook, nameof(MagicCommandsAndOtherKernelsAreSkippedWithAWarning));
        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal("2", Single(result.Notebook.Cells[0], OutputType.ExecuteResult).Data["text/plain"]);
        Assert.Empty(result.Notebook.Cells[1].Outputs);
        Assert.Collection(result.Warnings,
            w => Assert.Equal("cell 1, line 1: magic command #!time is ignored (the runner runs C# cells only)", w),
            w => Assert.Equal("cell 1, line 4: a #!fsharp part was skipped (the runner runs C# only)", w),
            w => Assert.Equal("cell 2, line 1: a #!pwsh part was skipped (the runner runs C# only)", w));
    }

    [Fact]
    public async Task ACellRunningPastTheTimeoutFailsTheRun()
    {
        var result = await Run(Code("var started = true;", "System.Threading.Thread.Sleep(System.Threading.Timeout.Infinite);", "var never = 1;"),
            nameof(ACellRunningPastTheTimeoutFailsTheRun), new NotebookRunnerOptions { CellTimeout = TimeSpan.FromSeconds(1) });
        var failure = Assert.IsType<CellFailure>(result.Failure);
        Assert.Equal((2, "Timeout"), (failure.Cell, failure.Error));
        Assert.Contains("longer than 1 s", failure.Message);
        Assert.Null(result.Notebook.Cells[2].ExecutionCount);
    }
}
