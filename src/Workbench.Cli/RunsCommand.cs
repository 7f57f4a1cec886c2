using System.CommandLine;
using Spectre.Console;
using Workbench.Training;

namespace Workbench.Cli;

/// <summary>
/// <c>workbench runs</c>: the runs in a run store, with their last step and loss; <c>--eval METRIC</c>: that
/// evaluation metric of every run by checkpoint, with the training step and compute behind each value.
/// </summary>
internal static class RunsCommand
{
    public static Command Create()
    {
        var root = new Option<string>("--root") { Description = "folder holding the run folders and workbench.db", DefaultValueFactory = _ => "runs" };
        var eval = new Option<string?>("--eval") { Description = "an evaluation metric (e.g. fvd, as `workbench eval` stored it): its curve over steps and compute for every run" };
        var command = new Command("runs", "list the runs of a run store (runs/workbench.db)") { root, eval };
        command.SetAction(parse =>
        {
            var path = Path.Combine(parse.GetValue(root)!, "workbench.db");
            if (!File.Exists(path)) throw new FileNotFoundException($"no run store at {path}: runs made with --out {parse.GetValue(root)}/NAME create it", path);
            using var store = RunStore.Open(path);
            if (parse.GetValue(eval) is { } metric) return PrintCurves(store, metric);
            var runs = store.Runs();
            Tables.Print(["run", "kind", "status", "last step", "last loss", "updated (UTC)"],
                runs.Select(r => (IReadOnlyList<string>)[r.Name, r.Kind, r.Status, r.LastStep.ToString(), r.LastLoss?.ToString("F4") ?? "-", r.Updated]),
                markdown: false);
            AnsiConsole.MarkupLine($"{runs.Count} run(s) in {Markup.Escape(Path.GetFullPath(path))}");
            return 0;
        });
        return command;
    }

    private static int PrintCurves(RunStore store, string metric)
    {
        var points = store.EvaluationCurves(metric);
        if (points.Count == 0)
        {
            var stored = store.EvaluationMetrics();
            throw new ArgumentException($"no evaluations named '{metric}' in {store.Path} (stored: {(stored.Count > 0 ? string.Join(", ", stored) : "none; run `workbench eval`")})");
        }
        Tables.Print(["run", "step", "training PFLOP", "training seconds", metric, "clips"], points.Select(p => (IReadOnlyList<string>)
            [p.Run, p.Step.ToString(), p.TrainFlops is { } f ? (f / 1e15).ToString("G4") : "-", p.TrainSeconds?.ToString("F0") ?? "-", p.Value.ToString("G5"), p.Samples?.ToString() ?? "-"]),
            markdown: false);
        return 0;
    }
}
