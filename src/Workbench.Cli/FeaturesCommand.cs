using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Workbench.Metrics;
using Workbench.Torch;

namespace Workbench.Cli;

/// <summary><c>workbench train features --data DIR --out RUN</c>: train the video feature network for FVD/KID and prompt adherence.</summary>
internal static class FeaturesCommand
{
    /// <summary>Adds <c>features</c> under the root's <c>train</c> command (creating <c>train</c> if it is missing).</summary>
    public static void AddTo(RootCommand root)
    {
        var train = root.Subcommands.FirstOrDefault(c => c.Name == "train");
        if (train is null)
        {
            train = new Command("train", "train a model on a dataset folder");
            root.Subcommands.Add(train);
        }
        train.Subcommands.Add(Create());
    }

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "dataset folder (Bouncing Shapes or Moving MNIST, from `workbench data`)", Required = true };
        var output = new Option<string>("--out") { Description = "run folder (created, or continued with --resume)", Required = true };
        var steps = new Option<int?>("--steps") { Description = "stop after this many steps" };
        var minutes = new Option<double?>("--minutes") { Description = "stop after this many minutes (default 5 when no budget is given)" };
        var batch = new Option<int>("--batch") { Description = "clips per micro-batch (a step is --accumulate micro-batches)", DefaultValueFactory = _ => 16 };
        var lr = new Option<double>("--lr") { Description = "peak learning rate", DefaultValueFactory = _ => 2e-3 };
        var width = new Option<int>("--width") { Description = "channels of the per-frame stage (×2, ×4 later)", DefaultValueFactory = _ => 32 };
        var frames = new Option<int>("--frames") { Description = "frames the network sees", DefaultValueFactory = _ => 16 };
        var size = new Option<int>("--size") { Description = "frame side the network sees", DefaultValueFactory = _ => 32 };
        var holdout = new Option<int>("--holdout") { Description = "last clips kept out of training for the accuracy report", DefaultValueFactory = _ => 128 };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N]", DefaultValueFactory = _ => "cpu" };
        var command = new Command("features", "train Workbench's video feature network (3D-conv classifier) for FVD/KID, consistency and prompt adherence")
        {
            data, output, steps, minutes, batch, lr, width, frames, size, holdout, seed, device,
        };
        var loop = new TrainCommand.LoopArguments(saveEvery: 200);
        loop.AddTo(command);
        command.SetAction(parse =>
        {
            var run = parse.GetValue(output)!;
            bool resuming = loop.Resuming(parse, run);
            var options = new FeatureNetTrainingOptions
            {
                DataDirectory = parse.GetValue(data)!, RunDirectory = run,
                Config = new FeatureNetConfig { Width = parse.GetValue(width), Frames = parse.GetValue(frames), Size = parse.GetValue(size) },
                Steps = parse.GetValue(steps), Minutes = parse.GetValue(minutes), BatchSize = parse.GetValue(batch),
                LearningRate = parse.GetValue(lr), Holdout = parse.GetValue(holdout), Seed = parse.GetValue(seed), Device = Device.Parse(parse.GetValue(device)!),
                Accumulate = parse.GetValue(loop.Accumulate), SaveEvery = parse.GetValue(loop.SaveEvery), Resume = resuming,
            };
            if (options.Steps is null && options.Minutes is null) options = options with { Minutes = 5 };
            AnsiConsole.MarkupLine($"[bold]training the video feature network[/] on {Markup.Escape(options.DataDirectory)} ({options.Device}, {Torch.Torch.Threads} threads)");
            var net = TrainCommand.WithProgressBar<FeatureTrainStep, VideoFeatureNet>(
                s => (s.Progress, $"step {s.Step}  loss {s.Loss:F4}  lr {s.LearningRate:E1}  {s.ClipsPerSecond:F1} clips/s"),
                (progress, status) => FeatureNetTraining.Train(options, progress, status: status));
            using (net)
            {
                var evaluation = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(run, "config.json")))!["evaluation"];
                var exact = evaluation?["ExactAccuracy"]?.AsObject();
                var perClass = evaluation?["ClassAccuracy"]?.AsObject();
                if (exact is not null)
                    Tables.Print(["head (held-out clips)", "exact accuracy", "per-class accuracy"],
                        exact.Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value!.GetValue<double>().ToString("P1", CultureInfo.InvariantCulture),
                            perClass?[kv.Key]?.GetValue<double>().ToString("P1", CultureInfo.InvariantCulture) ?? ""]), markdown: false);
            }
            AnsiConsole.MarkupLine($"saved to {Markup.Escape(Path.GetFullPath(run))}; use it with `workbench fvd REAL FAKE --features net {Markup.Escape(run)}`");
            return 0;
        });
        return command;
    }
}
