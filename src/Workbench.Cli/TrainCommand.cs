using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Workbench.Data;
using Workbench.Models;
using Workbench.Torch;
using Workbench.Training;

namespace Workbench.Cli;

/// <summary><c>workbench train vae</c> and <c>workbench eval vae</c>.</summary>
internal static class TrainCommand
{
    public static Command CreateTrain()
    {
        var command = new Command("train", "train a model on a dataset folder");
        command.Subcommands.Add(TrainVae());
        command.Subcommands.Add(DiTCommands.TrainDiT());
        return command;
    }

    public static Command CreateEval()
    {
        var command = new Command("eval", "evaluate a trained run");
        command.Subcommands.Add(EvalVae());
        return command;
    }

    /// <summary>The options of every `train` command that the shared training loop reads: accumulation, checkpoints, resume.</summary>
    internal sealed class LoopArguments(int saveEvery)
    {
        public Option<int> Accumulate { get; } = new("--accumulate")
        {
            Description = "micro-batches per optimizer step (gradient accumulation: a step sees accumulate × batch clips)", DefaultValueFactory = _ => 1,
        };
        public Option<int> SaveEvery { get; } = new("--save-every") { Description = "optimizer steps between checkpoints", DefaultValueFactory = _ => saveEvery };
        public Option<bool> Resume { get; } = new("--resume") { Description = "continue from the run's last complete checkpoint" };

        public void AddTo(Command command)
        {
            command.Options.Add(Accumulate);
            command.Options.Add(SaveEvery);
            command.Options.Add(Resume);
        }

        /// <summary>Whether to resume (and from which checkpoint, said on the console); refuses a non-empty run folder unless resuming.</summary>
        public bool Resuming(ParseResult parse, string run)
        {
            bool resuming = parse.GetValue(Resume);
            if (!resuming && Directory.Exists(run) && Directory.EnumerateFileSystemEntries(run).Any())
                throw new IOException($"{run} already exists and is not empty; choose another --out, or pass --resume to continue it (nothing was changed)");
            if (resuming)
                AnsiConsole.MarkupLine(Checkpoint.Latest(run) is { } checkpoint
                    ? $"resuming from the last complete checkpoint, {Markup.Escape(Path.GetFileName(checkpoint))}"
                    : $"no checkpoint in {Markup.Escape(run)} yet: starting from step 0");
            return resuming;
        }
    }

    /// <summary>
    /// Trains under a progress bar: <paramref name="show"/> turns each step into (progress 0..1, line), and
    /// the trainer's status messages (encoding, resuming) replace the line until the next step.
    /// </summary>
    internal static TResult WithProgressBar<TStep, TResult>(Func<TStep, (double Progress, string Line)> show,
        Func<IProgress<TStep>, IProgress<string>, TResult> train)
    {
        TResult result = default!;
        AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: 1000);
                result = train(new SynchronousProgress<TStep>(s =>
                    {
                        var (progress, line) = show(s);
                        (task.Value, task.Description) = (progress * 1000, line);
                    }),
                    new SynchronousProgress<string>(message => task.Description = Markup.Escape(message)));
                task.Value = 1000;
            });
        return result;
    }

    private static int[] ParseChannels(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return parts.Select(p => int.TryParse(p, out var c) && c > 0 ? c
            : throw new ArgumentException($"--channels takes positive integers separated by commas, got '{text}'")).ToArray();
    }

    private static Command TrainVae()
    {
        var preset = new Option<string>("--preset") { Description = $"VAE preset: {string.Join(", ", VaeConfig.Presets.Keys)}", DefaultValueFactory = _ => "tiny" };
        var data = new Option<string>("--data") { Description = "dataset folder (from `workbench data`)", Required = true };
        var output = new Option<string>("--out") { Description = "run folder to create", Required = true };
        var steps = new Option<int?>("--steps") { Description = "stop after this many steps" };
        var minutes = new Option<double?>("--minutes") { Description = "stop after this many minutes" };
        var batch = new Option<int>("--batch") { Description = "clips per step", DefaultValueFactory = _ => 8 };
        var lr = new Option<double>("--lr") { Description = "peak learning rate", DefaultValueFactory = _ => 2e-3 };
        var frames = new Option<int>("--frames") { Description = "frames per clip (1 + k·4 for the 4× temporal presets)", DefaultValueFactory = _ => 17 };
        var size = new Option<int>("--size") { Description = "frame side after resizing", DefaultValueFactory = _ => 32 };
        var holdout = new Option<int>("--holdout") { Description = "last clips kept out of training for evaluation", DefaultValueFactory = _ => 64 };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N]", DefaultValueFactory = _ => "cpu" };
        var loss = new Option<string?>("--loss") { Description = "reconstruction loss: l1 or mse (default: the preset's)" };
        var channels = new Option<string?>("--channels") { Description = "channels per level, e.g. 24,48,64 (default: the preset's)" };
        var blocks = new Option<int?>("--blocks") { Description = "residual blocks per level (default: the preset's)" };
        var patch = new Option<int?>("--patch") { Description = "spatial patch folded into channels before the first conv (default: the preset's)" };
        var loop = new LoopArguments(saveEvery: 200);
        var command = new Command("vae", "train the causal 3D VAE") { preset, data, output, steps, minutes, batch, lr, frames, size, holdout, seed, device, loss, channels, blocks, patch };
        loop.AddTo(command);
        command.SetAction(parse =>
        {
            var name = parse.GetValue(preset)!;
            if (!VaeConfig.Presets.TryGetValue(name, out var config))
                throw new ArgumentException($"unknown VAE preset '{name}' (known: {string.Join(", ", VaeConfig.Presets.Keys)})");
            if (parse.GetValue(loss) is { } lossName) config = config with { ReconstructionLoss = lossName };
            if (parse.GetValue(channels) is { } levels) config = config with { Channels = ParseChannels(levels) };
            if (parse.GetValue(blocks) is { } count) config = config with { ResBlocksPerLevel = count };
            if (parse.GetValue(patch) is { } p) config = config with { PatchSize = p };
            config.Validate();
            var run = parse.GetValue(output)!;
            bool resuming = loop.Resuming(parse, run);
            var options = new VaeTrainingOptions
            {
                DataDirectory = parse.GetValue(data)!, RunDirectory = run, Preset = name, Config = config,
                Steps = parse.GetValue(steps), Minutes = parse.GetValue(minutes), BatchSize = parse.GetValue(batch),
                LearningRate = parse.GetValue(lr), Frames = parse.GetValue(frames), Size = parse.GetValue(size),
                Holdout = parse.GetValue(holdout), Seed = parse.GetValue(seed), Device = Device.Parse(parse.GetValue(device)!),
                Accumulate = parse.GetValue(loop.Accumulate), SaveEvery = parse.GetValue(loop.SaveEvery), Resume = resuming,
            };
            if (options.Steps is null && options.Minutes is null) options = options with { Minutes = 15 };
            AnsiConsole.MarkupLine($"[bold]training the {name} VAE[/] on {Markup.Escape(options.DataDirectory)} ({options.Device}, {Torch.Torch.Threads} threads)");
            var vae = WithProgressBar<TrainStep, CausalVideoVae>(
                s => (s.Progress, $"step {s.Step}  loss {s.Loss:F4}  rec {s.Reconstruction:F4}  lr {s.LearningRate:E1}  {s.ClipsPerSecond:F1} clips/s"),
                (progress, status) => VaeTraining.Train(options, progress, status: status));
            using (vae)
                Report(vae, options.DataDirectory, options.Holdout, options.Frames, options.Size, options.Device, run);
            return 0;
        });
        return command;
    }

    private static Command EvalVae()
    {
        var run = new Option<string>("--run") { Description = "run folder of `workbench train vae`", Required = true };
        var data = new Option<string?>("--data") { Description = "dataset folder (default: the run's)" };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "cpu" };
        var command = new Command("vae", "PSNR and SSIM of a trained VAE on held-out clips, latent shape and compression") { run, data, device };
        command.SetAction(parse =>
        {
            var runDir = parse.GetValue(run)!;
            var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "config.json"))).RootElement;
            var dataDir = parse.GetValue(data) ?? config.GetProperty("data").GetString()!;
            var d = Device.Parse(parse.GetValue(device)!);
            using var vae = VaeTraining.Load(runDir, d);
            Report(vae, dataDir, config.GetProperty("holdout").GetInt32(), config.GetProperty("frames").GetInt32(), config.GetProperty("size").GetInt32(), d, runDir);
            return 0;
        });
        return command;
    }

    private static void Report(CausalVideoVae vae, string dataDir, int holdout, int frames, int size, Device device, string run)
    {
        using var dataset = VideoDataset.Open(dataDir);
        var heldOut = new SubsetDataset(dataset, dataset.Count - holdout, holdout);
        var e = VaeTraining.Evaluate(vae, heldOut, frames, size, device);
        var table = new Table().AddColumn("held-out evaluation").AddColumn(Markup.Escape(Path.GetFullPath(run)));
        table.AddRow("clips", $"{e.Clips} (the last {holdout} of {Markup.Escape(dataDir)})");
        table.AddRow("PSNR", $"{e.Psnr:F2} dB");
        table.AddRow("SSIM", $"{e.Ssim:F4}");
        table.AddRow("PSNR frame 0 / later frames", $"{e.PsnrFirstFrame:F2} dB / {e.PsnrLaterFrames:F2} dB");
        table.AddRow("latent shape (C, T, H, W)", $"({string.Join(", ", e.LatentShape)}) for a {frames}×{size}×{size} clip");
        table.AddRow("compression", $"{e.CompressionRatio:F1}× fewer values");
        AnsiConsole.Write(table);
        AtomicFile.WriteAllText(Path.Combine(run, "eval.json"), JsonSerializer.Serialize(e, new JsonSerializerOptions { WriteIndented = true }));
        using var store = RunStore.Open(RunStore.PathFor(run));
        var id = store.Find(run) ?? store.Register(run, "vae", File.ReadAllText(Path.Combine(run, "config.json")));
        long step = store.Series(id, "loss").LastOrDefault().Step;
        store.AddEvaluation(id, step, "psnr", e.Psnr, e.Clips);
        store.AddEvaluation(id, step, "ssim", e.Ssim, e.Clips);
    }
}
