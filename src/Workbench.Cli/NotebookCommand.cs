using System.CommandLine;
using Workbench.Notebooks;

namespace Workbench.Cli;

/// <summary>
/// <c>workbench notebook run NB.ipynb [--html OUT.html] [--out EXECUTED.ipynb] [--timeout SECONDS]</c>: runs the C# cells
/// in order without a kernel and writes a standalone HTML page (and the executed notebook); a failing cell ends it
/// with exit code 1 (docs/notebooks.md).
/// </summary>
internal static class NotebookCommand
{
    public static Command Create()
    {
        var command = new Command("notebook", "run notebooks (.ipynb with C# cells) without a kernel");
        command.Subcommands.Add(Run());
        return command;
    }

    private static Command Run()
    {
        var notebook = new Argument<string>("notebook") { Description = "the .ipynb file (its folder is the current directory while it runs)" };
        var html = new Option<string?>("--html") { Description = "the standalone HTML page to write (default: NAME.html next to the notebook)" };
        var executed = new Option<string?>("--out") { Description = "also write the executed notebook (with outputs) here" };
        var timeout = new Option<double?>("--timeout") { Description = "fail a cell that runs longer than this many seconds" };
        timeout.Validators.Add(r => { if (r.GetValue(timeout) is <= 0) r.AddError("--timeout must be positive"); });
        var command = new Command("run", "execute the C# cells in order; write the HTML page (and --out the executed notebook); exit 1 on a failing cell")
        {
            notebook, html, executed, timeout,
        };
        command.SetAction((parse, cancellationToken) => NotebookJob.RunAsync(
            parse.GetValue(notebook)!, parse.GetValue(html), parse.GetValue(executed),
            parse.GetValue(timeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : null, Console.Error, cancellationToken));
        return command;
    }
}
