using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using Workbench.Data;

namespace Workbench.Cli;

/// <summary><c>workbench data moving-mnist|shapes --out DIR</c>: generate a dataset (seeded, reproducible).</summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var command = new Command("data", "generate a dataset (seeded, reproducible) into a folder");
        command.Subcommands.Add(MovingMnistCommand());
        command.Subcommands.Add(ShapesCommand());
        command.Subcommands.Add(ShowCommand());
        return command;
    }

    private static Command ShowCommand()
    {
        var dataset = new Argument<string>("dataset") { Description = "a dataset folder made by `workbench data`" };
        var index = new Option<long>("--index", "-i") { Description = "which clip", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out", "-o") { Description = "clip.gif | clip.mp4 | clip.webm | strip.png", Required = true };
        var command = new Command("show", "write one clip of a dataset as a video or a frame strip, and print its caption") { dataset, index, output };
        command.SetAction(parse =>
        {
            using var data = VideoDataset.Open(parse.GetValue(dataset)!);
            var clip = data.Get(parse.GetValue(index));
            Media.WriteVideo(clip, parse.GetValue(output)!);
            AnsiConsole.MarkupLine($"clip {parse.GetValue(index)}: [bold]{Markup.Escape(clip.Caption)}[/] -> {Markup.Escape(parse.GetValue(output)!)}");
            return 0;
        });
        return command;
    }

    private static Option<string> OutOption() => new("--out", "-o") { Description = "folder to create (must not exist or be empty)", Required = true };
    private static Option<ulong> SeedOption() => new("--seed") { Description = "random seed; the same seed gives byte-identical data", DefaultValueFactory = _ => 0 };

    private static Command MovingMnistCommand()
    {
        var output = OutOption();
        var count = new Option<int>("--count", "-n") { Description = "number of clips (the public test set has 10,000)", DefaultValueFactory = _ => 10_000 };
        var frames = new Option<int>("--frames") { Description = "frames per clip", DefaultValueFactory = _ => 20 };
        var size = new Option<int>("--size") { Description = "frame side in pixels", DefaultValueFactory = _ => 64 };
        var digits = new Option<int>("--digits") { Description = "digits per clip", DefaultValueFactory = _ => 2 };
        var seed = SeedOption();
        var command = new Command("moving-mnist", "Moving MNIST (Srivastava et al. 2015): bouncing digits, the standard way")
        {
            output, count, frames, size, digits, seed,
        };
        command.SetAction(parse =>
        {
            var options = new MovingMnistOptions { Frames = parse.GetValue(frames), Size = parse.GetValue(size), Digits = parse.GetValue(digits) };
            var generator = new MovingMnist(MnistDigits.Load(), options);
            var info = new JsonObject { ["name"] = "moving-mnist", ["seed"] = parse.GetValue(seed), ["fps"] = 10, ["generator"] = JsonSerializer.SerializeToNode(options) };
            return Generate(parse.GetValue(output)!, parse.GetValue(count), parse.GetValue(seed), options.Frames, options.Size, options.Size, 1, info,
                (s, i) => generator.Generate(s, i));
        });
        return command;
    }

    private static Command ShapesCommand()
    {
        var output = OutOption();
        var count = new Option<int>("--count", "-n") { Description = "number of clips", DefaultValueFactory = _ => 2_000 };
        var frames = new Option<int>("--frames") { Description = "frames per clip", DefaultValueFactory = _ => 17 };
        var size = new Option<int>("--size") { Description = "frame side in pixels", DefaultValueFactory = _ => 32 };
        var maxObjects = new Option<int>("--objects") { Description = "at most this many objects per clip", DefaultValueFactory = _ => 2 };
        var motions = new Option<string>("--motions") { Description = "comma-separated: linear, gravity, occluded", DefaultValueFactory = _ => "linear,gravity,occluded" };
        var seed = SeedOption();
        var command = new Command("shapes", "Bouncing Shapes: captioned clips with physics and occlusion ground truth")
        {
            output, count, frames, size, maxObjects, motions, seed,
        };
        command.SetAction(parse =>
        {
            var kinds = parse.GetValue(motions)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(m => Enum.TryParse<MotionKind>(m, ignoreCase: true, out var k) ? k : throw new ArgumentException($"unknown motion '{m}' (expected linear, gravity or occluded)"))
                .ToArray();
            var options = new BouncingShapesOptions
            {
                Frames = parse.GetValue(frames), Size = parse.GetValue(size), MaxObjects = parse.GetValue(maxObjects), Motions = kinds,
            };
            var generator = new BouncingShapes(options);
            var info = new JsonObject { ["name"] = "shapes", ["seed"] = parse.GetValue(seed), ["fps"] = 8, ["generator"] = JsonSerializer.SerializeToNode(options) };
            return Generate(parse.GetValue(output)!, parse.GetValue(count), parse.GetValue(seed), options.Frames, options.Size, options.Size, 3, info,
                (s, i) => generator.Generate(s, i));
        });
        return command;
    }

    private static int Generate(string output, int count, ulong seed, int frames, int height, int width, int channels, JsonObject info,
        Func<ulong, long, VideoClip> generate)
    {
        if (count <= 0) throw new ArgumentException($"--count must be positive, got {count}");
        var watch = Stopwatch.StartNew();
        var examples = new List<string>();
        using (var writer = new VideoDatasetWriter(output, frames, height, width, channels, info))
        {
            AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask($"generating {count:N0} clips", maxValue: count);
                    // Clips are independent (each has its own random stream), so a block is made in parallel and written in order.
                    const int block = 64;
                    var clips = new VideoClip[block];
                    for (int start = 0; start < count; start += block)
                    {
                        int n = Math.Min(block, count - start);
                        Parallel.For(0, n, i => clips[i] = generate(seed, start + i));
                        for (int i = 0; i < n; i++)
                        {
                            writer.Add(clips[i]);
                            if (examples.Count < 3 && !examples.Contains(clips[i].Caption)) examples.Add(clips[i].Caption);
                        }
                        task.Increment(n);
                    }
                });
            writer.Complete();
        }
        double seconds = watch.Elapsed.TotalSeconds;
        long bytes = new DirectoryInfo(output).EnumerateFiles().Sum(f => f.Length);
        var table = new Table().AddColumn("dataset").AddColumn(Markup.Escape(Path.GetFullPath(output)));
        table.AddRow("clips", $"{count:N0} of {frames} frames × {height}×{width} × {channels} channel(s)");
        table.AddRow("seed", seed.ToString());
        table.AddRow("size on disk", $"{bytes / 1048576.0:F1} MiB");
        table.AddRow("time", $"{seconds:F1} s ({count / seconds:F0} clips/s)");
        table.AddRow("captions, e.g.", Markup.Escape(string.Join(" | ", examples)));
        AnsiConsole.Write(table);
        return 0;
    }
}
