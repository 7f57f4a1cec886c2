using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using Workbench.Data;
using Workbench.Models;
using Workbench.Models.Attention;
using Workbench.Pipelines;
using Workbench.Torch;
using Workbench.Training;

namespace Workbench.Cli;

/// <summary><c>workbench train dit</c> and <c>workbench sample</c>.</summary>
internal static class DiTCommands
{
    public static Command TrainDiT()
    {
        var preset = new Option<string>("--preset") { Description = $"DiT preset: {string.Join(", ", DiTConfig.Presets.Keys)}", DefaultValueFactory = _ => "tiny" };
        var data = new Option<string>("--data") { Description = "dataset folder (from `workbench data`)", Required = true };
        var vae = new Option<string>("--vae") { Description = "run folder of `workbench train vae` (encodes clips, decodes samples)", Required = true };
        var output = new Option<string>("--out") { Description = "run folder (created, or continued with --resume)", Required = true };
        var steps = new Option<int?>("--steps") { Description = "stop after this many steps" };
        var minutes = new Option<double?>("--minutes") { Description = "stop after this much training time (resumed runs count earlier time)" };
        var batch = new Option<int>("--batch") { Description = "clips per micro-batch (a step is --accumulate micro-batches)", DefaultValueFactory = _ => 32 };
        var lr = new Option<double>("--lr") { Description = "peak learning rate", DefaultValueFactory = _ => 1e-3 };
        var attention = new Option<string?>("--attention") { Description = "attention layout: joint, factorized, alternating, spatial-only, causal-temporal, windowed" };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N]", DefaultValueFactory = _ => "cpu" };
        var holdout = new Option<int>("--holdout") { Description = "last clips kept out of training", DefaultValueFactory = _ => 64 };
        var loop = new TrainCommand.LoopArguments(saveEvery: 250);
        var amp = AmpOption();
        var command = new Command("dit", "train the spacetime DiT on VAE latents with rectified flow")
        {
            preset, data, vae, output, steps, minutes, batch, lr, attention, seed, device, holdout, amp,
        };
        loop.AddTo(command);
        command.SetAction(parse =>
        {
            var name = parse.GetValue(preset)!;
            if (!DiTConfig.Presets.TryGetValue(name, out var config))
                throw new ArgumentException($"unknown DiT preset '{name}' (known: {string.Join(", ", DiTConfig.Presets.Keys)})");
            if (parse.GetValue(attention) is { } layout) config = config with { Attention = ParseLayout(layout) };
            var run = parse.GetValue(output)!;
            bool resuming = loop.Resuming(parse, run);
            var options = new DiTTrainingOptions
            {
                DataDirectory = parse.GetValue(data)!, VaeRun = parse.GetValue(vae)!, RunDirectory = run, Preset = name, Config = config,
                Steps = parse.GetValue(steps), Minutes = parse.GetValue(minutes), BatchSize = parse.GetValue(batch), LearningRate = parse.GetValue(lr),
                Seed = parse.GetValue(seed), Device = Device.Parse(parse.GetValue(device)!), Holdout = parse.GetValue(holdout),
                Resume = resuming, SaveEvery = parse.GetValue(loop.SaveEvery), Accumulate = parse.GetValue(loop.Accumulate),
                MixedPrecision = Autocast.ParsePrecision(parse.GetValue(amp)!),
            };
            if (options.Steps is null && options.Minutes is null) options = options with { Minutes = 5 };
            AnsiConsole.MarkupLine($"[bold]training the {name} DiT[/] ({config.Attention}) on {Markup.Escape(options.DataDirectory)} ({options.Device}, {Torch.Torch.Threads} threads)");
            var model = TrainCommand.WithProgressBar<TrainStep, SpacetimeDiT>(
                s => (s.Progress, $"step {s.Step}  loss {s.Loss:F4}  lr {s.LearningRate:E1}  {s.ClipsPerSecond:F1} clips/s"),
                (progress, status) => DiTTraining.Train(options, progress, status));
            using (model)
                AnsiConsole.MarkupLine($"done: {model.ParameterCount:N0} parameters, weights in {Markup.Escape(Path.Combine(run, DiTTraining.WeightsFile))}");
            return 0;
        });
        return command;
    }

    private static Option<string> AmpOption() => new("--amp")
    {
        Description = "mixed precision: bf16 (autocast; weights and optimizer state stay float32) or fp32", DefaultValueFactory = _ => "fp32",
    };

    private static AttentionLayout ParseLayout(string text) =>
        Enum.TryParse<AttentionLayout>(text.Replace("-", ""), ignoreCase: true, out var layout) ? layout
            : throw new ArgumentException($"unknown attention layout '{text}' (expected {string.Join(", ", Enum.GetNames<AttentionLayout>())})");

    public static Command Sample()
    {
        var run = new Option<string>("--run") { Description = "run folder of `workbench train dit`", Required = true };
        var prompt = new Option<string>("--prompt") { Description = "what to generate, in the training captions' words", Required = true };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 20 };
        var cfg = new Option<double>("--cfg") { Description = "classifier-free guidance scale (1 = none)", DefaultValueFactory = _ => 4.0 };
        var sampler = new Option<string>("--sampler") { Description = "euler, heun, dpm++2m, ddim, ddpm", DefaultValueFactory = _ => "euler" };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 0 };
        var frames = new Option<int?>("--frames") { Description = "clip length (1 + k·4); default: the training clips'" };
        var size = new Option<int?>("--size") { Description = "frame side; default: the training clips'" };
        var output = new Option<string>("--out") { Description = "clip.gif | clip.mp4 | clip.webm | strip.png", Required = true };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "cpu" };
        var amp = AmpOption();
        var command = new Command("sample", "generate a clip from a text prompt with a trained run") { run, prompt, steps, cfg, sampler, seed, frames, size, output, device, amp };
        command.SetAction(parse =>
        {
            var text = parse.GetValue(prompt)!;
            using var pipeline = TextToVideo.Load(parse.GetValue(run)!, Device.Parse(parse.GetValue(device)!));
            var options = new GenerationOptions
            {
                Steps = parse.GetValue(steps), Guidance = parse.GetValue(cfg), Sampler = parse.GetValue(sampler),
                Seed = parse.GetValue(seed), Frames = parse.GetValue(frames), Size = parse.GetValue(size),
                MixedPrecision = Autocast.ParsePrecision(parse.GetValue(amp)!),
            };
            pipeline.Tokenize(text).Dispose(); // unknown words are reported before any work
            var clock = Stopwatch.StartNew();
            VideoClip? clip = null;
            AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("sampling", maxValue: options.Steps);
                    clip = pipeline.Generate(text, options, new SynchronousProgress<Workbench.Diffusion.SampleStep>(s =>
                    {
                        task.Value = s.Index + 1;
                        task.Description = $"step {s.Index + 1}/{s.Steps}  t {s.T:F3}";
                    }));
                });
            double seconds = clock.Elapsed.TotalSeconds;
            Media.WriteVideo(clip!, parse.GetValue(output)!);
            AnsiConsole.MarkupLine($"\"{Markup.Escape(text)}\": {clip!.Frames} frames of {clip.Height}×{clip.Width} in {seconds:F2} s ({options.Steps} {options.Sampler} steps, guidance {options.Guidance}) -> {Markup.Escape(parse.GetValue(output)!)}");
            return 0;
        });
        return command;
    }
}
