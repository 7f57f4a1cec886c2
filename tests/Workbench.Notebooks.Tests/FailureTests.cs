using static Workbench.Notebooks.Tests.TestNotebooks;

namespace Workbench.Notebooks.Tests;

/// <summary>A failing cell stops the run and says where (cell, line, source) and why; nothing already computed is lost.</summary>
public sealed class FailureTests
{
    private static Notebook Dividing()
    {
        var notebook = Code("Console.WriteLine(\"before\");", "int Divide(int a, int b) =>\n    a / b;");
        notebook.AddMarkdown("## the failing cell is next");
        notebook.AddCode("var a = 1;\nvar b = 0;\nvar c = Divide(a, b);\nConsole.WriteLine(\"unreachable\");");
        notebook.AddCode("Console.WriteLine(\"after\");");
        return notebook;
    }

    [Fact]
    public async Task AnExceptionReportsTheCellTheLineAndTheMessage()
    {
        var result = await Run(Dividing(), nameof(AnExceptionReportsTheCellTheLineAndTheMessage));
        var failure = Assert.IsType<CellFailure>(result.Failure);
        Assert.Equal((4, 3, "var c = Divide(a, b);"), (failure.Cell, failure.Line, failure.SourceLine));
        Assert.Equal("cell 4, line 3: var c = Divide(a, b);", failure.Headline);
        Assert.Equal("DivideByZeroException", failure.Error);
        Assert.Equal("System.DivideByZeroException: Attempted to divide by zero.", failure.Message);
        Assert.Equal(["   at Divide in cell 2, line 2", "   at cell code in cell 4, line 3"], failure.Details);

        var cells = result.Notebook.Cells;
        Assert.Equal("before\n", Single(cells[0], OutputType.Stream).Text.ToString());   // earlier outputs are kept
        var error = Single(cells[3], OutputType.Error);
        Assert.Equal("DivideByZeroException", error.ErrorName);
        Assert.Equal(failure.Headline, error.Traceback[0]);
        Assert.Empty(cells[4].Outputs);                                                  // the cell after it never ran
        Assert.Null(cells[4].ExecutionCount);
    }

    [Fact]
    public async Task ACompileErrorReportsItsLine()
    {
        var result = await Run(Code("var z = 1;", "// a comment\nz = \"a\";\nz = null;"), nameof(ACompileErrorReportsItsLine));
        var failure = Assert.IsType<CellFailure>(result.Failure);
        Assert.Equal((2, 2, "z = \"a\";", "CompilationError"), (failure.Cell, failure.Line, failure.SourceLine, failure.Error));
        Assert.StartsWith("error CS0029: Cannot implicitly convert type 'string' to 'int'", failure.Message);
        Assert.Equal(["line 3: error CS0037: Cannot convert null to 'int' because it is a non-nullable value type"], failure.Details);
    }

    [Fact]
    public async Task LineNumbersCountTheWholeCellAfterAMarkdownPart()
    {
        var result = await Run(Code("#!markdown\nSome *text*.\n\n#!csharp\nvar q = 1;\nq = \"s\";"), nameof(LineNumbersCountTheWholeCellAfterAMarkdownPart));
        var failure = Assert.IsType<CellFailure>(result.Failure);
        Assert.Equal((1, 6), (failure.Cell, failure.Line));
        Assert.Contains("<em>text</em>", Single(result.Notebook.Cells[0], OutputType.DisplayData).Data["text/html"]);
    }

    [Fact]
    public async Task AnUnknownPackageIsAnErrorThatNamesIt()
    {
        var result = await Run(Code("// needs JSON\n#r \"nuget: Newtonsoft.Json, 13.0.3\"\nvar x = 1;"), nameof(AnUnknownPackageIsAnErrorThatNamesIt));
        var failure = Assert.IsType<CellFailure>(result.Failure);
        Assert.Equal("cell 1, line 2: #r \"nuget: Newtonsoft.Json, 13.0.3\"", failure.Headline);
        Assert.Equal("PackageNotFound", failure.Error);
        Assert.StartsWith("package Newtonsoft.Json is not available: the runner has no network and resolves only Workbench and Workbench.Extensions", failure.Message);
    }

    [Fact]
    public async Task TheCommandExitsNonZeroAndStillWritesTheNotebookAndThePage()
    {
        var folder = Folder(nameof(TheCommandExitsNonZeroAndStillWritesTheNotebookAndThePage));
        var path = Path.Combine(folder, "dividing.ipynb");
        Dividing().Save(path);
        var executed = Path.Combine(folder, "out", "dividing.executed.ipynb");
        var log = new StringWriter();
        int exit = await NotebookJob.RunAsync(path, htmlPath: null, executed, cellTimeout: null, log, TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        var lines = log.ToString().Split('\n');
        Assert.Matches(@"^\[1/4\] cell 1: Console\.WriteLine\(""before""\); \.\.\. \d+\.\d\d s$", lines[0]);
        Assert.StartsWith("[3/4] cell 4: var a = 1; ... failed after ", lines[2]);
        Assert.Equal("cell 4, line 3: var c = Divide(a, b);", lines[3]);
        Assert.Equal("System.DivideByZeroException: Attempted to divide by zero.", lines[4]);
        Assert.Contains($"wrote {Path.Combine(folder, "dividing.html")}", lines);
        Assert.Contains($"wrote {executed}", lines);

        var reread = Notebook.Load(executed);                                             // the executed notebook reads back
        Assert.Equal("before\n", Single(reread.Cells[0], OutputType.Stream).Text.ToString());
        Assert.Equal("DivideByZeroException", Single(reread.Cells[3], OutputType.Error).ErrorName);
        Assert.Empty(reread.Cells[4].Outputs);
        var html = File.ReadAllText(Path.Combine(folder, "dividing.html"));
        Assert.Contains("Stopped at <a href=\"#cell-4\">cell 4, line 3: var c = Divide(a, b);</a>", html);
        Assert.Contains("<div class=\"cell code not-run\" id=\"cell-5\">", html);
        Assert.Equal("int Divide(int a, int b) =>\n    a / b;", Notebook.Load(path).Cells[1].Source);   // the input is left as it was
        Assert.Empty(Notebook.Load(path).Cells[0].Outputs);
    }
}
