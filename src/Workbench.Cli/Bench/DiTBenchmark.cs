using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Spectre.Console;
using Workbench.Diffusion;
using Workbench.Models;
using Workbench.Models.Attention;
using Workbench.Pipelines;
using Workbench.Torch;
using Workbench.Training;

namespace Workbench.Cli.Bench;

/// <summary>What every row shares: device, precision, latent shape, text length and how long to measure.</summary>
internal sealed record DiTBenchSettings(Device Device, DType? Amp, int Channels, int Size, int TextTokens,
    int Warmup, int Iterations, int SampleSteps, int SampleRuns, double Guidance);

/// <summary>One benchmark row: a preset and attention layout on a clip of <see cref="Frames"/> latent frames, at a batch.</summary>
internal sealed record DiTBenchRow(string Preset, AttentionLayout Layout, int Frames, int Batch);

/// <summary>One side's figures for a row (null where not measured); <see cref="Error"/> says why a side has none (e.g. out of memory).</summary>
internal sealed record DiTTiming(double? TrainSeconds, double? SampleSeconds, long? TrainPeakBytes, long? SamplePeakBytes, string? Error = null)
{
    public static DiTTiming Failed(string error) => new(null, null, null, null, error);

    public JsonObject ToJson() => new()
    {
        ["train_s"] = TrainSeconds, ["sample_s"] = SampleSeconds, ["train_peak_bytes"] = TrainPeakBytes, ["sample_peak_bytes"] = SamplePeakBytes, ["error"] = Error,
    };

    public static DiTTiming? FromJson(JsonNode? node) => node is not JsonObject o ? null : new(
        o["train_s"]?.GetValue<double>(), o["sample_s"]?.GetValue<double>(), o["train_peak_bytes"]?.GetValue<long>(),
        o["sample_peak_bytes"]?.GetValue<long>(), o["error"]?.GetValue<string>());
}

/// <summary>
/// A DiT, its AdamW and one batch of latents and captions on the device, stepping as DiTTraining does: the
/// rectified-flow loss with text dropout under autocast, then <see cref="UpdateStep"/> (loss read, gradient check,
/// clipping to norm 1, AdamW). No EMA.
/// </summary>
internal sealed class DiTTrainingRun : IDisposable
{
    private readonly DiTBenchSettings _s;
    private readonly DisposeScope _scope;
    private readonly Generator _generator;
    private readonly Tensor _x0;
    private readonly RectifiedFlowObjective _objective = new();
    private AdamW? _optimizer;
    private long _step;

    public SpacetimeDiT Model { get; }
    /// <summary>Caption tokens (B, L).</summary>
    public Tensor Tokens { get; }

    public DiTTrainingRun(DiTConfig config, DiTBenchSettings s, int batch, int frames)
    {
        _s = s;
        Torch.Torch.ManualSeed(0);
        Model = new SpacetimeDiT(config);
        _generator = new Generator(0, s.Device);
        _scope = DisposeScope.Enter();
        try
        {
            Model.To(s.Device).Train();
            _optimizer = new AdamW(Model.NamedParameters(), 1e-4, beta2: 0.99, weightDecay: 0);
            _x0 = Tensor.Randn([batch, s.Channels, frames, s.Size, s.Size], device: s.Device, generator: _generator);
            Tokens = Tensor.Randint(CaptionTokenizer.Reserved.Count, config.VocabSize, [batch, s.TextTokens], device: s.Device, generator: _generator);
        }
        catch
        {
            Dispose();                                                              // e.g. out of memory: close the scope, free the model
            throw;
        }
    }

    public void Step()
    {
        using var scope = DisposeScope.Enter();
        var cond = new DiTConditioning { Text = Tokens, DropText = Model.SampleTextDrop(Tokens.Size(0), _generator, _s.Device) };
        Tensor loss;
        using (Autocast.IfEnabled(_s.Device, _s.Amp)) loss = _objective.Loss(Model.AsDiffusionModel(cond), _x0, _generator);
        UpdateStep.Apply(loss, Model, _optimizer ?? throw new InvalidOperationException("the optimizer was dropped"), _step++);
    }

    /// <summary>Frees the optimizer's moments (before sampling) and puts the model in eval mode.</summary>
    public void DropOptimizer()
    {
        _optimizer?.Dispose();
        _optimizer = null;
        Model.Eval();
    }

    public void Dispose()
    {
        _optimizer?.Dispose();
        _scope.Dispose();
        _generator.Dispose();
        Model.Dispose();
    }
}

/// <summary>
/// <c>workbench bench dit</c>: training steps per second (rectified-flow loss, backward, clipping, AdamW; bf16 autocast
/// on CUDA) and sampling time (Euler steps with classifier-free guidance) of the DiT presets, for each attention layout
/// and clip length, side by side with the PyTorch reference of the same model (bench/dit_bench.py: eager, and
/// torch.compile), taking turns row by row in one run. Also model FLOP utilisation against the measured bf16 matmul rate,
/// and peak GPU memory next to the cost model's estimate. <c>--scaling</c>: Joint vs Factorized step time and memory
/// against clip length until memory runs out.
/// </summary>
internal static class DiTBenchmark
{
    public static Command Create()
    {
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N]", DefaultValueFactory = _ => "cpu" };
        var presets = new Option<string?>("--presets") { Description = "DiT presets (default: S,B,L on CUDA, tiny on the CPU)" };
        var frames = new Option<string?>("--frames") { Description = "latent frames per clip (default: 8,16 on CUDA, 4 on the CPU)" };
        var layouts = new Option<string>("--layouts") { Description = "attention layouts", DefaultValueFactory = _ => "joint,factorized" };
        var batch = new Option<int?>("--batch") { Description = "clips per step (default: 64 / frames on CUDA, so every row trains on 16,384 tokens; 2 on the CPU)" };
        var size = new Option<int?>("--size") { Description = "latent side (default: 32 on CUDA, 16 on the CPU)" };
        var channels = new Option<int?>("--channels") { Description = "latent channels (default: 16 on CUDA, 4 on the CPU)" };
        var textTokens = new Option<int>("--text-tokens") { Description = "caption tokens", DefaultValueFactory = _ => 32 };
        var warmup = new Option<int?>("--warmup") { Description = "untimed training steps first (default 3 on CUDA, 1 on the CPU)" };
        var iterations = new Option<int?>("--iterations") { Description = "timed training steps (default 10 on CUDA, 2 on the CPU)" };
        var sampleSteps = new Option<int?>("--sample-steps") { Description = "Euler steps per sample (default 20 on CUDA, 2 on the CPU)" };
        var sampleRuns = new Option<int?>("--sample-runs") { Description = "timed samples, median taken (default 3 on CUDA, 1 on the CPU)" };
        var amp = new Option<string?>("--amp") { Description = "bf16 (autocast) or fp32 (default: bf16 on CUDA, fp32 on the CPU)" };
        var python = new Option<string?>("--python") { Description = "python with torch for the PyTorch columns (default: /usr/bin/python3 if present; 'none' to skip)" };
        var compile = new Option<bool>("--compile") { Description = "also time the PyTorch reference under torch.compile (PyTorch 2.x)" };
        var scaling = new Option<bool>("--scaling") { Description = "instead: step time and peak memory against clip length (frames doubling) until memory runs out" };
        var maxFrames = new Option<int?>("--max-frames") { Description = "--scaling: stop doubling here (default 512 on CUDA, 8 on the CPU)" };
        var json = new Option<string?>("--json") { Description = "write all figures to this JSON file" };
        var markdown = new Option<bool>("--markdown") { Description = "print the table as Markdown" };
        var command = new Command("dit", "DiT training and sampling throughput, side by side with the PyTorch reference")
        {
            device, presets, frames, layouts, batch, size, channels, textTokens, warmup, iterations, sampleSteps, sampleRuns, amp, python, compile,
            scaling, maxFrames, json, markdown,
        };
        command.SetAction(parse =>
        {
            var d = Device.Parse(parse.GetValue(device)!);
            bool gpu = d.IsCuda;
            var settings = new DiTBenchSettings(d, Autocast.ParsePrecision(parse.GetValue(amp) ?? (gpu ? "bf16" : "fp32")),
                parse.GetValue(channels) ?? (gpu ? 16 : 4), parse.GetValue(size) ?? (gpu ? 32 : 16), parse.GetValue(textTokens),
                parse.GetValue(warmup) ?? (gpu ? 3 : 1), parse.GetValue(iterations) ?? (gpu ? 10 : 2),
                parse.GetValue(sampleSteps) ?? (gpu ? 20 : 2), parse.GetValue(sampleRuns) ?? (gpu ? 3 : 1), Guidance: 4.0);
            var presetNames = Split(parse.GetValue(presets) ?? (gpu ? "S,B,L" : "tiny"));
            var layoutList = ParseLayouts(parse.GetValue(layouts)!);
            var report = new JsonObject { ["device"] = DeviceName(d), ["libtorch"] = Torch.Torch.Version, ["settings"] = SettingsJson(settings) };
            if (parse.GetValue(scaling))
            {
                var preset = presetNames.Length == 1 ? presetNames[0] : gpu ? "B" : presetNames[0];
                report["scaling"] = DiTScaling.Run(preset, layoutList, settings, parse.GetValue(maxFrames) ?? (gpu ? 512 : 8), parse.GetValue(markdown));
            }
            else
            {
                var rows = (from p in presetNames
                            from f in Split(parse.GetValue(frames) ?? (gpu ? "8,16" : "4")).Select(int.Parse)
                            from l in layoutList
                            select new DiTBenchRow(p, l, f, parse.GetValue(batch) ?? (gpu ? Math.Max(1, 64 / f) : 2))).ToList();
                Run(rows, settings, BenchCommand.ResolvePython(parse.GetValue(python)), parse.GetValue(compile), parse.GetValue(markdown), report);
            }
            if (parse.GetValue(json) is { } path)
            {
                File.WriteAllText(path, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                AnsiConsole.MarkupLine($"figures written to {Markup.Escape(path)}");
            }
            return 0;
        });
        return command;
    }

    private static void Run(List<DiTBenchRow> rows, DiTBenchSettings s, string? python, bool compile, bool markdown, JsonObject report)
    {
        double matmul = MatmulRate(s);
        report["matmul_flops_per_s"] = matmul;
        AnsiConsole.MarkupLine($"[bold]workbench bench dit[/] on {Markup.Escape(DeviceName(s.Device))}: libtorch {Torch.Torch.Version}, " +
            $"{(s.Amp is { } a ? a.Name() + " autocast" : "float32")}, {MatmulLabel(s)} matmul {Flops(matmul)}");
        string? failure = null;
        using var reference = python is null ? null : PythonReference.Start(python, "dit_bench.py", [], out failure);
        if (failure is not null) AnsiConsole.MarkupLine($"[yellow]PyTorch columns skipped: {Markup.Escape(failure)}[/]");
        report["pytorch"] = reference?.Hello["torch"]?.GetValue<string>();
        var results = new JsonArray();
        var table = new List<(DiTBenchRow Row, DiTCostEstimate Cost, DiTTiming Ours, DiTTiming? Eager, DiTTiming? Compiled)>();
        foreach (var row in rows)
        {
            var config = Config(row.Preset, row.Layout, s);
            var cost = DiTCost.Estimate(config, row.Frames, s.Size, s.Size, row.Batch, s.TextTokens, s.Amp is null ? 4 : 2);
            Console.Error.WriteLine($"  {row.Preset} {Name(row.Layout)} {row.Frames} frames x {row.Batch}: {cost.Grid.Tokens * row.Batch} tokens per step");
            JsonObject? theirs = reference?.Ask(Request(config, row, s, compile));
            var ours = Measure(config, row, s);
            Console.Error.WriteLine($"    workbench: {Describe(ours)}");
            var (eager, compiled) = (DiTTiming.FromJson(theirs?["eager"]), DiTTiming.FromJson(theirs?["compiled"]));
            if (eager is not null) Console.Error.WriteLine($"    pytorch:   {Describe(eager)}");
            if (compiled is not null) Console.Error.WriteLine($"    compiled:  {Describe(compiled)}");
            table.Add((row, cost, ours, eager, compiled));
            results.Add(new JsonObject
            {
                ["preset"] = row.Preset, ["layout"] = Name(row.Layout), ["frames"] = row.Frames, ["batch"] = row.Batch, ["tokens"] = cost.Grid.Tokens,
                ["parameters"] = cost.Parameters, ["train_flops"] = cost.TrainingFlops, ["sample_flops"] = SampleFlops(config, row, s),
                ["estimate_bytes"] = TrainingMemoryEstimate(cost, s), ["workbench"] = ours.ToJson(), ["pytorch_eager"] = eager?.ToJson(),
                ["pytorch_compiled"] = compiled?.ToJson(), ["compile_s"] = theirs?["compile_s"]?.DeepClone(),
            });
        }
        report["rows"] = results;
        Print(table, s, matmul, reference?.Hello["torch"]?.GetValue<string>(), markdown);
    }

    // ---- the Workbench side ----

    /// <summary>Times a row's training steps and samples through the Workbench API, the way bench/dit_bench.py times PyTorch's.</summary>
    private static DiTTiming Measure(DiTConfig config, DiTBenchRow row, DiTBenchSettings s)
    {
        try
        {
            return MeasureOrThrow(config, row, s);
        }
        catch (TorchException e) when (IsOutOfMemory(e))
        {
            return DiTTiming.Failed("out of memory");
        }
        finally
        {
            ReleaseMemory(s.Device);
        }
    }

    private static DiTTiming MeasureOrThrow(DiTConfig config, DiTBenchRow row, DiTBenchSettings s)
    {
        using var run = new DiTTrainingRun(config, s, row.Batch, row.Frames);
        ResetPeak(s.Device);
        double train = SecondsPerRun(run.Step, s.Warmup, s.Iterations, s.Device);
        long? trainPeak = Peak(s.Device);
        run.DropOptimizer();
        ReleaseMemory(s.Device);
        ResetPeak(s.Device);
        var sample = SecondsPerSample(run.Model, run.Tokens.Narrow(0, 0, 1), s, row.Frames);
        return new DiTTiming(train, sample, trainPeak, Peak(s.Device));
    }

    /// <summary>Median seconds of a guided Euler sample of one clip: the library's sampler and guidance, in one autocast region.</summary>
    private static double SecondsPerSample(SpacetimeDiT model, Tensor tokens, DiTBenchSettings s, int frames)
    {
        using var noGrad = new NoGrad();
        using var scope = DisposeScope.Enter();
        var text = model.EncodeText(tokens);                                        // (1, L, D_text)
        var guided = ClassifierFreeGuidance.Wrap(model.AsConditionalModel(), text, model.NullTextEmbedding(tokens.Size(1)), new GuidanceConfig(s.Guidance));
        if (s.Amp is { } dtype) guided = TextToVideo.WithAutocast(guided, s.Device, dtype);
        var sampler = new EulerSampler(new RectifiedFlowObjective());
        var noise = Tensor.Randn([1, s.Channels, frames, s.Size, s.Size], device: s.Device);
        void Sample()
        {
            // One outer region: the weights are cast to bf16 once per sample, not once per step.
            using var amp = Autocast.IfEnabled(s.Device, s.Amp);
            sampler.Generate(guided, noise, s.SampleSteps).Dispose();
        }
        Sample();
        var seconds = Enumerable.Range(0, s.SampleRuns).Select(_ => SecondsPerRun(Sample, 0, 1, s.Device)).Order().ToArray();
        return seconds[seconds.Length / 2];
    }

    /// <summary>Seconds per run of <paramref name="run"/>: <paramref name="warmup"/> untimed runs, then the mean of <paramref name="count"/>, synchronised.</summary>
    internal static double SecondsPerRun(Action run, int warmup, int count, Device device)
    {
        for (int i = 0; i < warmup; i++) run();
        Synchronize(device);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++) run();
        Synchronize(device);
        return clock.Elapsed.TotalSeconds / count;
    }

    /// <summary>The rate of a large matmul in the run's precision: what MFU is measured against.</summary>
    private static double MatmulRate(DiTBenchSettings s)
    {
        var c = MatmulCase(s);
        double rate = c.Flops / OpBenchmark.SecondsPerCall(c);
        ReleaseMemory(s.Device);
        return rate;
    }

    private static OpCase MatmulCase(DiTBenchSettings s)
    {
        long n = s.Device.IsCuda ? 8192 : 1024;
        return new OpCase("matmul", [n, n, n], (s.Amp ?? DType.Float32).Name(), s.Device.ToString());
    }

    private static string MatmulLabel(DiTBenchSettings s) => $"{MatmulCase(s).Label.Replace("matmul ", "")} {(s.Amp ?? DType.Float32).Name()}";

    // ---- rows, configs and estimates ----

    internal static DiTConfig Preset(string name) => DiTConfig.Presets.TryGetValue(name, out var c) ? c
        : throw new ArgumentException($"unknown DiT preset '{name}' (known: {string.Join(", ", DiTConfig.Presets.Keys)})");

    internal static DiTConfig Config(string preset, AttentionLayout layout, DiTBenchSettings s)
    {
        var c = Preset(preset) with { Attention = layout, InChannels = s.Channels };
        if (s.TextTokens > c.MaxTextLength) throw new ArgumentException($"--text-tokens {s.TextTokens} exceeds the {preset} preset's {c.MaxTextLength} text positions");
        return c;
    }

    internal static AttentionLayout[] ParseLayouts(string text) => Split(text).Select(name =>
        Enum.TryParse<AttentionLayout>(name.Replace("-", "").Replace("_", ""), ignoreCase: true, out var layout) ? layout
            : throw new ArgumentException($"unknown attention layout '{name}' (expected {string.Join(", ", Enum.GetNames<AttentionLayout>())})")).ToArray();

    private static string[] Split(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>snake_case of an option's name, as the PyTorch reference names it (Factorized → factorized, CrossAttention → cross_attention).</summary>
    internal static string Name(Enum value) => value switch
    {
        Modulation.AdaLNZero => "adaln_zero",
        Modulation.AdaLNSingle => "adaln_single",
        _ => Regex.Replace(value.ToString(), "(?<=[a-z0-9])([A-Z])", "_$1").ToLowerInvariant(),
    };

    /// <summary>The config as bench/dit_reference.py's DiTConfig reads it.</summary>
    internal static JsonObject ReferenceConfig(DiTConfig c) => new()
    {
        ["in_channels"] = c.InChannels, ["patch"] = new JsonArray(c.Patch.T, c.Patch.H, c.Patch.W), ["hidden"] = c.Hidden, ["depth"] = c.Depth,
        ["heads"] = c.Heads, ["mlp_ratio"] = c.MlpRatio, ["attention"] = Name(c.Attention), ["positions"] = Name(c.Positions),
        ["rope_theta"] = c.RopeTheta, ["modulation"] = Name(c.Modulation), ["qk_norm"] = c.QkNorm, ["text"] = Name(c.Text),
        ["vocab_size"] = c.VocabSize, ["max_text_length"] = c.MaxTextLength, ["text_hidden"] = c.TextHidden, ["text_depth"] = c.TextDepth,
        ["text_heads"] = c.TextHeads, ["timestep_scale"] = c.TimestepScale, ["frame_conditioning"] = c.FrameConditioning,
    };

    private static JsonObject Request(DiTConfig config, DiTBenchRow row, DiTBenchSettings s, bool compile) => new()
    {
        ["config"] = ReferenceConfig(config), ["batch"] = row.Batch, ["frames"] = row.Frames, ["size"] = s.Size, ["text_tokens"] = s.TextTokens,
        ["warmup"] = s.Warmup, ["iterations"] = s.Iterations, ["sample_steps"] = s.SampleSteps, ["sample_runs"] = s.SampleRuns,
        ["guidance"] = s.Guidance, ["amp"] = s.Amp?.Name(), ["device"] = s.Device.ToString(), ["compile"] = compile,
    };

    private static JsonObject SettingsJson(DiTBenchSettings s) => new()
    {
        ["amp"] = s.Amp?.Name(), ["channels"] = s.Channels, ["size"] = s.Size, ["text_tokens"] = s.TextTokens, ["warmup"] = s.Warmup,
        ["iterations"] = s.Iterations, ["sample_steps"] = s.SampleSteps, ["sample_runs"] = s.SampleRuns, ["guidance"] = s.Guidance,
    };

    /// <summary>
    /// What a training step should hold at its peak: float32 weights, gradients and AdamW's two moments (16 bytes a
    /// parameter), autocast's bf16 copies of the weights (2), and the activations the cost model counts.
    /// </summary>
    internal static double TrainingMemoryEstimate(DiTCostEstimate cost, DiTBenchSettings s) =>
        cost.Parameters * (16.0 + (s.Amp is null ? 0 : 2)) + cost.ActivationBytes;

    /// <summary>Forward FLOPs of one guided sample: every step runs the conditional and unconditional halves (batch 2).</summary>
    private static double SampleFlops(DiTConfig config, DiTBenchRow row, DiTBenchSettings s) =>
        s.SampleSteps * DiTCost.Estimate(config, row.Frames, s.Size, s.Size, 2, s.TextTokens).ForwardFlops;

    // ---- devices and memory ----

    internal static bool IsOutOfMemory(TorchException e) => e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase);

    internal static void Synchronize(Device d) { if (d.IsCuda) Torch.Torch.Cuda.Synchronize(Math.Max(d.Index, 0)); }

    internal static void ResetPeak(Device d) { if (d.IsCuda) Torch.Torch.Cuda.Memory(Math.Max(d.Index, 0), resetPeak: true); }

    internal static long? Peak(Device d) => d.IsCuda ? Torch.Torch.Cuda.Memory(Math.Max(d.Index, 0)).Peak : null;

    /// <summary>Frees what the last row left (tensors the GC still holds, the caching allocator's blocks), so each row starts alike.</summary>
    internal static void ReleaseMemory(Device d)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        if (d.IsCuda) Torch.Torch.Cuda.EmptyCache();
    }

    internal static string DeviceName(Device d) => d.IsCuda ? Torch.Torch.Cuda.DeviceInfo(Math.Max(d.Index, 0)).Name : $"CPU ({Torch.Torch.Threads} threads)";

    // ---- the table ----

    private static string Describe(DiTTiming t) => t.Error ?? $"{1 / t.TrainSeconds:F2} steps/s, sample {t.SampleSeconds:F2} s" +
        (t.TrainPeakBytes is { } p ? $", peak {p / Gib:F1} GiB" : "");

    private const double Gib = 1 << 30;

    private static string Flops(double perSecond) => perSecond >= 1e12 ? $"{perSecond / 1e12:F1} TFLOP/s" : $"{perSecond / 1e9:F1} GFLOP/s";

    private static void Print(List<(DiTBenchRow Row, DiTCostEstimate Cost, DiTTiming Ours, DiTTiming? Eager, DiTTiming? Compiled)> table,
        DiTBenchSettings s, double matmul, string? torchVersion, bool markdown)
    {
        static string F2(double? v) => v is { } x ? x.ToString("F2", CultureInfo.InvariantCulture) : "-";
        // A failure reads "out of memory" in the cell; longer reasons are in the progress output and the JSON.
        static string Failure(string error) => error.Length <= 20 ? error : "failed";
        static string Rate(DiTTiming? t) => t is null ? "-" : t.Error is { } e ? Failure(e) : F2(1 / t.TrainSeconds);
        static string Sample(DiTTiming? t) => t is null ? "-" : t.Error is { } e ? Failure(e) : F2(t.SampleSeconds);
        // Ratios: > 1 means Workbench is faster (training: steps/s over steps/s; sampling: their time over ours).
        static string Ratio(double? theirs, double? ours) => theirs is { } a && ours is { } b ? F2(a / b) : "-";
        static string Gb(long? bytes) => bytes is { } b ? F2(b / Gib) : "-";
        var header = new[]
        {
            "preset", "layout", "frames × batch (tokens)", "WB steps/s", "PT eager", "PT compile", "WB/eager", "WB/compile", "WB MFU",
            "WB sample s", "PT eager", "PT compile", "WB/eager", "WB/compile", "WB peak GiB", "PT peak GiB", "estimate GiB",
        };
        var rows = table.Select(r => (IReadOnlyList<string>)
        [
            r.Row.Preset, Name(r.Row.Layout), $"{r.Row.Frames} × {r.Row.Batch} ({r.Cost.Grid.Tokens * r.Row.Batch:N0})",
            Rate(r.Ours), Rate(r.Eager), Rate(r.Compiled),
            Ratio(r.Eager?.TrainSeconds, r.Ours.TrainSeconds), Ratio(r.Compiled?.TrainSeconds, r.Ours.TrainSeconds),
            r.Ours.TrainSeconds is { } ts ? (r.Cost.TrainingFlops / ts / matmul).ToString("P0", CultureInfo.InvariantCulture) : "-",
            Sample(r.Ours), Sample(r.Eager), Sample(r.Compiled),
            Ratio(r.Eager?.SampleSeconds, r.Ours.SampleSeconds), Ratio(r.Compiled?.SampleSeconds, r.Ours.SampleSeconds),
            Gb(r.Ours.TrainPeakBytes), Gb(r.Eager?.TrainPeakBytes), F2(TrainingMemoryEstimate(r.Cost, s) / Gib),
        ]).ToList();
        Tables.Print(header, rows, markdown);
        if (markdown) return;
        AnsiConsole.MarkupLine($"PyTorch {Markup.Escape(torchVersion ?? "(not run)")}; ratios > 1: Workbench faster. MFU = the cost model's training FLOPs " +
            $"per second / the measured {MatmulLabel(s)} matmul rate ({Flops(matmul)}). Sampling: {s.SampleSteps} Euler steps, guidance {s.Guidance}, one clip.");
    }
}
