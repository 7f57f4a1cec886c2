using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;
using Workbench.Models;
using Workbench.Models.Attention;
using Workbench.Torch;

namespace Workbench.Cli.Bench;

/// <summary>
/// <c>workbench bench dit --scaling</c>: for each attention layout, the training step time and peak memory of one
/// clip as its length doubles (1, 2, 4, ... latent frames) until the device runs out of memory or
/// <c>--max-frames</c>, next to the cost model's FLOPs and memory. The JSON is what notebook 08 plots.
/// </summary>
internal static class DiTScaling
{
    public static JsonArray Run(string preset, IReadOnlyList<AttentionLayout> layouts, DiTBenchSettings s, int maxFrames, bool markdown)
    {
        AnsiConsole.MarkupLine($"[bold]joint vs factorized scaling[/]: {Markup.Escape(preset)} preset, one clip of {s.Size}×{s.Size} latents per step, " +
            $"{(s.Amp is { } a ? a.Name() + " autocast" : "float32")}, on {Markup.Escape(DiTBenchmark.DeviceName(s.Device))}");
        var results = new JsonArray();
        var rows = new List<IReadOnlyList<string>>();
        foreach (var layout in layouts)
            for (int frames = 1; frames <= maxFrames; frames *= 2)
            {
                var config = DiTBenchmark.Config(preset, layout, s);
                var cost = DiTCost.Estimate(config, frames, s.Size, s.Size, 1, s.TextTokens, s.Amp is null ? 4 : 2);
                var (seconds, peak, error) = Measure(config, frames, s);
                Console.Error.WriteLine($"  {DiTBenchmark.Name(layout)} {frames} frames: {error ?? $"{seconds * 1e3:F1} ms/step"}");
                results.Add(new JsonObject
                {
                    ["layout"] = DiTBenchmark.Name(layout), ["frames"] = frames, ["tokens"] = cost.Grid.Tokens, ["train_s"] = seconds,
                    ["peak_bytes"] = peak, ["train_flops"] = cost.TrainingFlops, ["attention_share"] = cost.AttentionShare,
                    ["estimate_bytes"] = DiTBenchmark.TrainingMemoryEstimate(cost, s), ["error"] = error,
                });
                rows.Add([DiTBenchmark.Name(layout), frames.ToString(), cost.Grid.Tokens.ToString("N0", CultureInfo.InvariantCulture),
                    error ?? (seconds!.Value * 1e3).ToString("F1", CultureInfo.InvariantCulture),
                    peak is { } p ? (p / (double)(1 << 30)).ToString("F2", CultureInfo.InvariantCulture) : "-",
                    (DiTBenchmark.TrainingMemoryEstimate(cost, s) / (1 << 30)).ToString("F2", CultureInfo.InvariantCulture),
                    (cost.TrainingFlops / 1e12).ToString("F2", CultureInfo.InvariantCulture), cost.AttentionShare.ToString("P0", CultureInfo.InvariantCulture)]);
                if (error is not null) break;
            }
        Tables.Print(["layout", "frames", "tokens", "ms/step", "peak GiB", "estimate GiB", "training TFLOP", "attention share"], rows, markdown);
        return results;
    }

    /// <summary>One training step's time (after a warm-up step, mean of two) and peak memory; an error instead when memory runs out.</summary>
    private static (double? Seconds, long? Peak, string? Error) Measure(DiTConfig config, int frames, DiTBenchSettings s)
    {
        try
        {
            using var run = new DiTTrainingRun(config, s, 1, frames);
            DiTBenchmark.ResetPeak(s.Device);
            double seconds = DiTBenchmark.SecondsPerRun(run.Step, 1, 2, s.Device);
            return (seconds, DiTBenchmark.Peak(s.Device), null);
        }
        catch (TorchException e) when (DiTBenchmark.IsOutOfMemory(e))
        {
            return (null, null, "out of memory");
        }
        finally
        {
            DiTBenchmark.ReleaseMemory(s.Device);
        }
    }
}
