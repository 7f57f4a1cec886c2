using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Workbench.Data;
using Workbench.Diffusion;
using Workbench.Metrics;
using Workbench.Models;
using Workbench.Models.Attention;
using Workbench.Pipelines;
using Workbench.Torch;

namespace Workbench.Cli.Bench;

/// <summary>
/// <c>workbench bench merging</c>: the time of one guided Euler sampling run with temporal token merging during the
/// first fraction of the steps and during all of them, against the same run without, side by side; the FLOP ratio
/// the cost model expects; and, on a trained run (<c>--run</c>), how far the merged clip moves from the unmerged one
/// with the same seed (MSE, PSNR). Untrained models time the same work (speed does not depend on the weights).
/// </summary>
internal static class TokenMergingBenchmark
{
    private sealed record Case(string Name, DiTConfig Config, long Frames, long Height, long Width);

    public static Command Create()
    {
        var steps = new Option<int>("--steps") { Description = "sampling steps per run", DefaultValueFactory = _ => 10 };
        var fraction = new Option<double>("--fraction") { Description = "fraction of the steps (the first ones) that merge", DefaultValueFactory = _ => 0.5 };
        var repeat = new Option<int>("--repeat") { Description = "timed runs of each setting (the fastest is shown)", DefaultValueFactory = _ => 3 };
        var presets = new Option<string>("--presets") { Description = "DiT presets to time, untrained", DefaultValueFactory = _ => "tiny,S" };
        var latents = new Option<string?>("--latents") { Description = "latent frames×side to time, e.g. 9x16,17x32 (default: 5x8 and 9x16 for tiny, 9x16 otherwise)" };
        var run = new Option<string?>("--run") { Description = "a trained DiT run: time it and measure how much merging changes its clips" };
        var prompt = new Option<string?>("--prompt") { Description = "prompt for --run (default: the run's first training caption)" };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N]", DefaultValueFactory = _ => "cpu" };
        var markdown = new Option<bool>("--markdown") { Description = "print the table as Markdown" };
        var command = new Command("merging", "sampling time with temporal token merging vs without (and the clip's change on a trained run)")
        {
            steps, fraction, repeat, presets, latents, run, prompt, device, markdown,
        };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(steps), r = parse.GetValue(repeat);
            double f = parse.GetValue(fraction);
            EarlySteps.Count(f, n); // checks the fraction and steps now
            if (r < 1) throw new ArgumentOutOfRangeException(nameof(repeat), r, "--repeat must be at least 1");
            var d = Device.Parse(parse.GetValue(device)!);
            double[] fractions = [0, f, 1];
            AnsiConsole.MarkupLine($"[bold]token merging[/]: {n} guided Euler steps (scale 4), merged during 0, {f:P0} and all steps; fastest of {r} runs on {d}, {Torch.Torch.Threads} threads");
            List<IReadOnlyList<string>> rows = parse.GetValue(run) is { } runDir
                ? [TrainedRow(runDir, parse.GetValue(prompt), n, fractions, r, d)]
                : Cases(parse.GetValue(presets)!, parse.GetValue(latents)).Select(c => UntrainedRow(c, n, fractions, r, d)).ToList();
            Tables.Print(["model", "latent (tokens)", "forward GFLOP full / merged", $"s per run: full / {f:P0} merged / all merged",
                $"speed-up {f:P0} / all (FLOP ratio)", $"clip vs unmerged, {f:P0} / all: MSE, PSNR"], rows, parse.GetValue(markdown));
            return 0;
        });
        return command;
    }

    private static IEnumerable<Case> Cases(string presets, string? latents)
    {
        var chosen = latents?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(ParseLatent).ToArray();
        foreach (var name in presets.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!DiTConfig.Presets.TryGetValue(name, out var config))
                throw new ArgumentException($"unknown DiT preset '{name}' (known: {string.Join(", ", DiTConfig.Presets.Keys)})");
            // The tiny preset's own latent (5 × 8×8: 80 tokens) and a longer, larger one where attention weighs more.
            (long T, long H)[] sizes = chosen ?? (name.Equals("tiny", StringComparison.OrdinalIgnoreCase) ? [(5, 8), (9, 16)] : [(9, 16)]);
            foreach (var layout in new[] { AttentionLayout.Joint, AttentionLayout.Factorized })
                foreach (var (t, h) in sizes)
                    yield return new Case($"{name} {layout}", config with { Attention = layout }, t, h, h);
        }
    }

    private static (long T, long H) ParseLatent(string text)
    {
        var parts = text.Split('x', 'X', '×');
        return parts.Length == 2 && long.TryParse(parts[0], out var t) && long.TryParse(parts[1], out var h) && t > 0 && h > 0 ? (t, h)
            : throw new ArgumentException($"--latents takes frames×side pairs such as 9x16, got '{text}'");
    }

    private static IReadOnlyList<string> UntrainedRow(Case c, int steps, double[] fractions, int repeat, Device device)
    {
        Console.Error.WriteLine($"  {c.Name}, latent {c.Config.InChannels}×{c.Frames}×{c.Height}×{c.Width}");
        Torch.Torch.ManualSeed(0);
        using var model = new SpacetimeDiT(c.Config);
        model.To(device).Eval();
        var objective = new RectifiedFlowObjective(new RectifiedFlowConfig());
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(0, device);
        var tokens = Tensor.Randint(CaptionTokenizer.Reserved.Count, c.Config.VocabSize, [1, c.Config.MaxTextLength], device: device, generator: generator);
        Tensor text, nothing;
        using (new NoGrad()) (text, nothing) = (model.EncodeText(tokens), model.NullTextEmbedding(c.Config.MaxTextLength));
        var noise = Tensor.Randn([1, c.Config.InChannels, c.Frames, c.Height, c.Width], device: device, generator: generator);
        DiffusionModel Guided(TokenMerging? merging) =>
            ClassifierFreeGuidance.Wrap(model.AsConditionalModel(new DiTConditioning { TokenMerging = merging }), text, nothing, new GuidanceConfig(4));
        Tensor Sample(double fraction, int n) => new EulerSampler(objective).Generate(
            EarlySteps.Switch(Guided(new TokenMerging()), Guided(null), objective.SamplingTimes(n), EarlySteps.Count(fraction, n)), noise, n);
        var seconds = Time(fractions, repeat, fraction => Sample(fraction, steps).Dispose(), () => { foreach (var f in fractions) Sample(f, 1).Dispose(); });
        return Row(c.Name, c.Config, c.Frames, c.Height, c.Width, steps, fractions, seconds, "- (untrained)");
    }

    private static IReadOnlyList<string> TrainedRow(string run, string? prompt, int steps, double[] fractions, int repeat, Device device)
    {
        using var pipeline = TextToVideo.Load(run, device);
        prompt ??= Training.LatentCache.Load(Path.Combine(run, Training.DiTTraining.LatentsFile)).Captions[0];
        Console.Error.WriteLine($"  {run}: \"{prompt}\"");
        var clips = new Dictionary<double, VideoClip>();
        VideoClip Generate(double fraction, int n) => pipeline.Generate(prompt, new GenerationOptions { Steps = n, TokenMerging = fraction });
        var seconds = Time(fractions, repeat, fraction => clips[fraction] = Generate(fraction, steps), () => { foreach (var f in fractions) Generate(f, 1); });
        using var scope = DisposeScope.Enter();
        Tensor Frames(VideoClip clip) => clip.ToTensor().Permute(1, 0, 2, 3).Add(1).Div(2);     // (T, C, H, W) in [0, 1]
        var full = Frames(clips[0]);
        var quality = string.Join(" / ", fractions.Skip(1).Select(f =>
        {
            var merged = Frames(clips[f]);
            double mse = (merged - full).Square().Mean().Item<double>();
            return $"{mse:G3}, {ImageQuality.Psnr(full.Unsqueeze(0), merged.Unsqueeze(0)).Item<double>():F1} dB";
        }));
        var (_, t, h, w) = pipeline.Vae.LatentShape(pipeline.Frames, pipeline.Size, pipeline.Size);
        return Row(Path.GetFileName(Path.TrimEndingDirectorySeparator(run)), pipeline.Model.Config, t, h, w, steps, fractions, seconds, quality);
    }

    /// <summary>
    /// Seconds per setting: the fastest of the repeats (the run least disturbed by other work on a shared machine), the
    /// settings interleaved in every round so that load on the machine hits them alike.
    /// </summary>
    private static double[] Time(double[] fractions, int repeat, Action<double> work, Action warmUp)
    {
        warmUp();
        var samples = fractions.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < repeat; r++)
            for (int i = 0; i < fractions.Length; i++)
            {
                var clock = Stopwatch.StartNew();
                work(fractions[i]);
                samples[i].Add(clock.Elapsed.TotalSeconds);
            }
        return samples.Select(s => s.Min()).ToArray();
    }

    private static IReadOnlyList<string> Row(string name, DiTConfig config, long t, long h, long w, int steps, double[] fractions, double[] seconds, string quality)
    {
        var full = DiTCost.Estimate(config, t, h, w, batch: 2);                    // guided: conditional and unconditional halves
        var merged = DiTCost.Estimate(config, t, h, w, batch: 2, merging: new TokenMerging());
        double FlopRatio(double fraction)
        {
            int k = EarlySteps.Count(fraction, steps);
            return steps * full.ForwardFlops / (k * merged.ForwardFlops + (steps - k) * full.ForwardFlops);
        }
        string S(double v) => v.ToString(v < 1 ? "F3" : "F2", CultureInfo.InvariantCulture);
        return
        [
            name, $"{config.InChannels}×{t}×{h}×{w} ({full.Grid.Tokens})", $"{full.ForwardFlops / 1e9:F2} / {merged.ForwardFlops / 1e9:F2}",
            string.Join(" / ", seconds.Select(S)),
            $"{seconds[0] / seconds[1]:F2}× / {seconds[0] / seconds[2]:F2}× ({FlopRatio(fractions[1]):F2}× / {FlopRatio(1):F2}×)",
            quality,
        ];
    }
}
