using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Spectre.Console;
using Workbench.Data;

namespace Workbench.Cli.Bench;

/// <summary>
/// <c>workbench bench data</c>: clips per second for generating each dataset (one thread and all cores),
/// and for loading batches back from disk through the DataLoader, to check that data never starves training.
/// </summary>
internal static class DataBenchmark
{
    public static Command Create()
    {
        var count = new Option<int>("--count") { Description = "clips per measurement", DefaultValueFactory = _ => 2000 };
        var markdown = new Option<bool>("--markdown") { Description = "print the table as Markdown" };
        var command = new Command("data", "clips per second for dataset generation and loading") { count, markdown };
        command.SetAction(parse => Run(parse.GetValue(count), parse.GetValue(markdown)));
        return command;
    }

    private static int Run(int count, bool markdown)
    {
        var rows = new List<string[]>();
        var shapes = new BouncingShapes();
        var mnist = new MovingMnist(MnistDigits.Load());
        foreach (var (name, generate, frames, size, channels) in new (string, Func<ulong, long, VideoClip>, int, int, int)[]
                 {
                     ("Bouncing Shapes 17×32×32×3", shapes.Generate, 17, 32, 3),
                     ("Moving MNIST 20×64×64×1", mnist.Generate, 20, 64, 1),
                 })
        {
            for (int i = 0; i < 50; i++) generate(2, i); // warm-up (JIT)
            double serial = Rate(count, () => { for (int i = 0; i < count; i++) generate(1, i); });
            double parallel = Rate(count, () => Parallel.For(0, count, i => generate(1, i)));
            var dir = Path.Combine(Path.GetTempPath(), $"wb-bench-{Guid.NewGuid():N}");
            try
            {
                using (var writer = new VideoDatasetWriter(dir, frames, size, size, channels, new JsonObject()))
                {
                    for (int i = 0; i < count; i++) writer.Add(generate(1, i));
                    writer.Complete();
                }
                double load;
                using (var dataset = VideoDataset.Open(dir))
                {
                    var loader = new DataLoader(dataset, batchSize: 16, shuffle: true, seed: 0);
                    foreach (var batch in loader.Epoch(1).Take(3)) batch.Dispose(); // warm-up
                    load = Rate(loader.BatchesPerEpoch * 16, () => { foreach (var batch in loader.Epoch()) batch.Dispose(); });
                }
                rows.Add([name, $"{serial:F0}", $"{parallel:F0} ({Environment.ProcessorCount} cores)", $"{load:F0}"]);
            }
            finally
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, true);
            }
        }
        var header = new[] { "dataset", "generate, clips/s (1 thread)", "generate, clips/s (parallel)", "load shuffled batches of 16 from disk, clips/s" };
        Tables.Print(header, rows, markdown);
        return 0;
    }

    private static double Rate(int clips, Action work)
    {
        var sw = Stopwatch.StartNew();
        work();
        return clips / sw.Elapsed.TotalSeconds;
    }
}
