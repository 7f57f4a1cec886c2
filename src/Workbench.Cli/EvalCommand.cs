using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Workbench.Diffusion;
using Workbench.Metrics;
using Workbench.Pipelines;
using Workbench.Torch;

namespace Workbench.Cli;

/// <summary>
/// <c>workbench eval --run RUN --data DIR [--metrics ...]</c>: samples from a DiT run's checkpoints, scores the clips
/// against held-out real clips and stores the values in the run store (<see cref="RunEvaluation"/>);
/// <c>workbench eval vae</c> stays the VAE's evaluation.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var command = TrainCommand.CreateEval();
        command.Description = "evaluate a trained DiT run's checkpoints (FVD, KID, VBench-style, physics, prompt adherence) and store the values; `eval vae` for a VAE";
        var run = new Option<string?>("--run") { Description = "run folder of `workbench train dit`" };
        var data = new Option<string?>("--data") { Description = "dataset folder; its held-out clips give the prompts and the real clips" };
        var metrics = new Option<string>("--metrics") { Description = $"comma-separated: {string.Join(", ", RunEvaluation.KnownMetrics)}", DefaultValueFactory = _ => "fvd,kid" };
        var samples = new Option<int>("--samples") { Description = "clips generated per checkpoint (and real clips compared with)", DefaultValueFactory = _ => 64 };
        var checkpoints = new Option<string>("--checkpoints") { Description = "latest, all, or steps such as 500,1000", DefaultValueFactory = _ => "latest" };
        var features = new Option<string?>("--features") { Description = "feature-network run (`workbench train features`): needed by fvd, kid, prompt" };
        var holdout = new Option<int?>("--holdout") { Description = "held-out clips at the end of the dataset (default: 64, as in training)" };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N]", DefaultValueFactory = _ => "cpu" };
        var batch = new Option<int>("--batch") { Description = "clips sampled together (clip i still starts from seed + i)", DefaultValueFactory = _ => 16 };
        var sampling = new SamplingArguments();
        foreach (var option in new Option[] { run, data, metrics, samples, checkpoints, features, holdout, device, batch }) command.Options.Add(option);
        sampling.AddTo(command);
        command.SetAction(parse =>
        {
            var options = new RunEvaluationOptions
            {
                RunDirectory = parse.GetValue(run) ?? throw new ArgumentException("give the run to evaluate: --run RUN (or `workbench eval vae` for a VAE)"),
                DataDirectory = parse.GetValue(data) ?? throw new ArgumentException("give the dataset: --data DIR (its held-out clips are the prompts and the real clips)"),
                Metrics = parse.GetValue(metrics)!.Split(','), Samples = parse.GetValue(samples), Checkpoints = parse.GetValue(checkpoints)!,
                FeaturesRun = parse.GetValue(features), Holdout = parse.GetValue(holdout), Device = Device.Parse(parse.GetValue(device)!),
                Generation = sampling.Read(parse), BatchSize = parse.GetValue(batch),
            };
            RunEvaluation.ParseMetrics(options.Metrics);
            RunEvaluationReport? report = null;
            AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("loading", maxValue: 1);
                    report = RunEvaluation.Evaluate(options, new SynchronousProgress<EvaluationProgress>(p =>
                    {
                        task.MaxValue = Math.Max(1, p.Checkpoints);
                        task.Value = p.Checkpoint + (p.Total > 0 ? (double)p.Done / p.Total : 0) * (p.Stage == "sampling" ? 0.9 : 1);
                        task.Description = p.Stage == "done" ? $"checkpoint {p.Checkpoint} of {p.Checkpoints} done"
                            : $"step {p.Step}: {p.Stage}{(p.Stage == "sampling" ? $" {p.Done}/{p.Total} clips" : "")}";
                    }));
                    task.Value = task.MaxValue;
                });
            Print(report!);
            return 0;
        });
        return command;
    }

    private static void Print(RunEvaluationReport r)
    {
        var names = r.Checkpoints.SelectMany(c => c.Values.Keys).Distinct().ToList();
        var header = new List<string> { "metric" };
        header.AddRange(r.Checkpoints.Select(c => $"step {c.Step}"));
        header.Add("held-out clips");
        var rows = new List<IReadOnlyList<string>>
        {
            (["training PFLOP", .. r.Checkpoints.Select(c => F(c.TrainFlops / 1e15)), ""]),
            (["training seconds", .. r.Checkpoints.Select(c => c.TrainSeconds is { } s ? s.ToString("F0", CultureInfo.InvariantCulture) : "-"), ""]),
        };
        foreach (var name in names)
            rows.Add([name + r.Suffix, .. r.Checkpoints.Select(c => c.Values.TryGetValue(name, out var v) ? F(v) : "-"),
                r.Reference.TryGetValue(name, out var real) ? F(real) : ""]);
        Tables.Print(header, rows, markdown: false);
        AnsiConsole.MarkupLine($"{r.Samples} generated and {r.Samples} held-out clips per checkpoint{(r.Features is { } f ? $", features: {Markup.Escape(f)}" : "")}; " +
            $"stored for run {Markup.Escape(r.Run)} in {Markup.Escape(r.StorePath)} (curves: `workbench runs --eval {names.FirstOrDefault() ?? "fvd"}{r.Suffix}`)");
    }

    private static string F(double v) => Math.Abs(v) >= 1000 || v == 0 ? v.ToString("G6", CultureInfo.InvariantCulture) : v.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>The sampling options shared by commands that generate clips: sampler, steps, guidance, seed, token merging, LPL.</summary>
    internal sealed class SamplingArguments
    {
        public Option<int> Steps { get; } = new("--steps") { Description = "sampling steps", DefaultValueFactory = _ => 20 };
        public Option<double> Cfg { get; } = new("--cfg") { Description = "classifier-free guidance scale (1 = none)", DefaultValueFactory = _ => 4.0 };
        public Option<string> Sampler { get; } = new("--sampler") { Description = "euler, heun, dpm++2m, ddim, ddpm", DefaultValueFactory = _ => "euler" };
        public Option<ulong> Seed { get; } = new("--seed") { Description = "seed of the first clip (clip i uses seed + i)", DefaultValueFactory = _ => 0 };
        public Option<double> TokenMerging { get; } = new("--token-merging")
        {
            Description = "temporal token merging (On-device Sora) during this fraction of the steps, the first ones (0 = off)", DefaultValueFactory = _ => 0,
        };
        public Option<bool> Lpl { get; } = new("--lpl") { Description = "Linear Proportional Leap (euler, heun): jump to t = 0 once the velocity settles" };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Steps, Cfg, Sampler, Seed, TokenMerging, Lpl }) command.Options.Add(option);
        }

        public GenerationOptions Read(ParseResult parse) => new()
        {
            Steps = parse.GetValue(Steps), Guidance = parse.GetValue(Cfg), Sampler = parse.GetValue(Sampler)!, Seed = parse.GetValue(Seed),
            TokenMerging = parse.GetValue(TokenMerging), Leap = parse.GetValue(Lpl) ? new LinearProportionalLeap() : null,
        };
    }
}
