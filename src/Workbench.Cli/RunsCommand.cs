using System.CommandLine;
using Spectre.Console;
using Workbench.Training;

namespace Workbench.Cli;

/// <summary><c>workbench runs</c>: the runs in a run store, with their last step and loss.</summary>
internal static class RunsCommand
{
    public static Command Create()
    {
        var root = new Option<string>("--root") { Description = "folder holding the run folders and workbench.db", DefaultValueFactory = _ => "runs" };
        var command = new Command("runs", "list the runs of a run store (runs/workbench.db)") { root };
        command.SetAction(parse =>
        {
            var path = Path.Combine(parse.GetValue(root)!, "workbench.db");
            if (!File.Exists(path)) throw new FileNotFoundException($"no run store at {path}: runs made with --out {parse.GetValue(root)}/NAME create it", path);
            using var store = RunStore.Open(path);
            var runs = store.Runs();
            Tables.Print(["run", "kind", "status", "last step", "last loss", "updated (UTC)"],
                runs.Select(r => (IReadOnlyList<string>)[r.Name, r.Kind, r.Status, r.LastStep.ToString(), r.LastLoss?.ToString("F4") ?? "-", r.Updated]),
                markdown: false);
            AnsiConsole.MarkupLine($"{runs.Count} run(s) in {Markup.Escape(Path.GetFullPath(path))}");
            return 0;
        });
        return command;
    }
}
