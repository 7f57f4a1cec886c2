using System.Text.Json;
using System.Text.Json.Nodes;
using Workbench.Data;
using Workbench.Diffusion;
using Workbench.Models;
using Workbench.Torch;
using Workbench.Training;

namespace Workbench.Pipelines;

/// <summary>How to generate: sampler, steps, guidance, seed, and optionally a different clip length or size.</summary>
public sealed record GenerationOptions
{
    public int Steps { get; init; } = 20;
    public double Guidance { get; init; } = 4.0;
    public double GuidanceRescale { get; init; }
    public string Sampler { get; init; } = "euler";
    public ulong Seed { get; init; }
    /// <summary>Video frames (1 + k·r_t); default: the training clips'.</summary>
    public int? Frames { get; init; }
    /// <summary>Frame side in pixels (divisible by the VAE's and the patch's factors); default: the training clips'.</summary>
    public int? Size { get; init; }
    /// <summary>Linear Proportional Leap for euler and heun (null: off).</summary>
    public LinearProportionalLeap? Leap { get; init; }
    /// <summary>Temporal token merging during this fraction of the steps, the first ones (0: off; see <see cref="Models.Attention.TokenMerging"/>).</summary>
    public double TokenMerging { get; init; }
    /// <summary>Run each model call under autocast in this dtype (bfloat16 on CUDA); null: float32.</summary>
    public DType? MixedPrecision { get; init; }
}

/// <summary>
/// A trained text-to-video run as one object (diffusers' pipeline): the caption tokenizer, the DiT (EMA
/// weights) and the VAE. <see cref="Trace"/> yields the sampler's steps in latent space (for progress bars
/// and the denoising view); <see cref="Generate"/> returns the decoded clip.
/// </summary>
public sealed class TextToVideo : IDisposable
{
    public SpacetimeDiT Model { get; }
    public CausalVideoVae Vae { get; }
    public CaptionTokenizer Tokenizer { get; }
    public Device Device { get; }
    public int Frames { get; }
    public int Size { get; }
    public int TextLength { get; }
    public RectifiedFlowObjective Objective { get; }

    private TextToVideo(SpacetimeDiT model, CausalVideoVae vae, CaptionTokenizer tokenizer, Device device, int frames, int size, int textLength, RectifiedFlowConfig flow)
    {
        (Model, Vae, Tokenizer, Device, Frames, Size, TextLength) = (model, vae, tokenizer, device, frames, size, textLength);
        Objective = new RectifiedFlowObjective(flow);
    }

    /// <summary>
    /// Loads a run of <c>workbench train dit</c> (and the VAE run it names): the finished model, or the EMA weights of
    /// one of its checkpoint folders (<paramref name="checkpoint"/>, e.g. from <see cref="Checkpoint.Latest"/>).
    /// </summary>
    public static TextToVideo Load(string run, Device? device = null, string? checkpoint = null)
    {
        var d = device ?? Device.Cpu;
        var configPath = Path.Combine(run, "config.json");
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{run} is not a DiT run (no config.json)", configPath);
        var json = JsonNode.Parse(File.ReadAllText(configPath))!;
        if (json["model"]?.GetValue<string>() != "dit") throw new InvalidDataException($"{run} is a {json["model"]} run, not a DiT run");
        var config = json["config"].Deserialize<DiTConfig>(ConfigJson.Options) ?? throw new InvalidDataException($"{configPath}: no DiT config");
        var weights = checkpoint is null ? Path.Combine(run, DiTTraining.WeightsFile) : Path.Combine(checkpoint, Checkpoint.EmaFile);
        if (!File.Exists(weights))
            throw new FileNotFoundException(checkpoint is null ? $"{run} has no finished model ({DiTTraining.WeightsFile}); is training still running?"
                : $"{checkpoint} is not a complete checkpoint (no {Checkpoint.EmaFile})", weights);
        var model = new SpacetimeDiT(config);
        model.Load(weights);
        model.To(d).Eval();
        var vae = VaeTraining.Load(VaeRunOf(run, json["vae_run"]!.GetValue<string>()), d);
        var flow = json["flow"].Deserialize<RectifiedFlowConfig>() ?? new RectifiedFlowConfig();
        return new TextToVideo(model, vae, DiTTraining.LoadTokenizer(run), d, json["frames"]!.GetValue<int>(), json["size"]!.GetValue<int>(),
            json["text_length"]!.GetValue<int>(), flow);
    }

    // A run names its VAE run as given at training time (relative to where training ran), an exported checkpoint as
    // a path relative to its own folder ("../vae"): the latter is tried first, so a checkpoint works from anywhere.
    private static string VaeRunOf(string run, string vaeRun)
    {
        if (!Path.IsPathRooted(vaeRun) && File.Exists(Path.Combine(run, vaeRun, "config.json"))) return Path.Combine(run, vaeRun);
        return vaeRun;
    }

    /// <summary>Token ids (1, L) of <paramref name="prompt"/>; throws <see cref="UnknownWordsException"/> naming words the model never saw.</summary>
    public Tensor Tokenize(string prompt) => Tokenizer.EncodeBatch([prompt], TextLength, Device);

    /// <summary>The latent (1, C_z, T_z, H_z, W_z) shape for the options' clip length and size.</summary>
    public long[] LatentShape(GenerationOptions o)
    {
        var (c, t, h, w) = Vae.LatentShape(o.Frames ?? Frames, o.Size ?? Size, o.Size ?? Size);
        return [1, c, t, h, w];
    }

    /// <summary>The sampler's steps from noise to a clean latent, with classifier-free guidance.</summary>
    public IEnumerable<SampleStep> Trace(string prompt, GenerationOptions o, CancellationToken cancel = default) => Trace([prompt], o, cancel: cancel);

    /// <summary>
    /// The sampler's steps for a batch of prompts, latents (B, C_z, T_z, H_z, W_z): item i starts from the noise of seed
    /// <c>o.Seed + i</c>, so it follows the run of <c>Trace(prompts[i], o with { Seed = o.Seed + i })</c> (to float
    /// rounding, for the deterministic samplers). <paramref name="model"/> samples with another DiT over the same latents
    /// and captions, e.g. the same weights under another attention layout, or an ablation's model (default: <see cref="Model"/>).
    /// </summary>
    public IEnumerable<SampleStep> Trace(IReadOnlyList<string> prompts, GenerationOptions o, SpacetimeDiT? model = null, CancellationToken cancel = default)
    {
        var dit = model ?? Model;
        CheckCompatible(dit);
        if (prompts.Count == 0) throw new ArgumentException("give at least one prompt", nameof(prompts));
        var tokens = Tokenizer.EncodeBatch(prompts, TextLength, Device).DetachFromScope();
        var sampler = Samplers.Create(new SamplerConfig(o.Sampler, Leap: o.Leap), Objective);
        int mergedSteps = EarlySteps.Count(o.TokenMerging, o.Steps);
        using var generator = new Generator(o.Seed, Device);
        var noise = Noise(prompts.Count, o, generator).DetachFromScope();
        Tensor text, nothing;
        using (new NoGrad())
        {
            text = dit.EncodeText(tokens).DetachFromScope();                            // (B, L, D_text)
            nothing = dit.NullTextEmbedding(TextLength).DetachFromScope();              // (1, L, D_text)
        }
        DiffusionModel Guided(DiTConditioning c) => o.Guidance == 1
            ? dit.AsDiffusionModel(c with { TextEmbedding = text })
            : ClassifierFreeGuidance.Wrap(dit.AsConditionalModel(c), text, nothing, new GuidanceConfig(o.Guidance, o.GuidanceRescale));
        var guided = EarlySteps.Switch(Guided(new DiTConditioning { TokenMerging = new() }), Guided(new DiTConditioning()),
            Objective.SamplingTimes(o.Steps), mergedSteps);
        if (o.MixedPrecision is { } dtype) guided = WithAutocast(guided, Device, dtype);
        try
        {
            foreach (var step in sampler.Sample(guided, noise, o.Steps, generator, cancel)) yield return step;
        }
        finally
        {
            tokens.Dispose(); noise.Dispose(); text.Dispose(); nothing.Dispose();
        }
    }

    // Item 0's noise comes from the run's generator (which a stochastic sampler then goes on drawing from), item i's
    // from a generator of its own seeded o.Seed + i: the first draw of seed s is the same in a batch and alone.
    private Tensor Noise(int count, GenerationOptions o, Generator generator)
    {
        using var scope = DisposeScope.Enter();
        var shape = LatentShape(o);
        var items = new List<Tensor> { Tensor.Randn(shape, device: Device, generator: generator) };
        for (int i = 1; i < count; i++)
        {
            using var own = new Generator(o.Seed + (ulong)i, Device);
            items.Add(Tensor.Randn(shape, device: Device, generator: own));
        }
        return scope.Keep(count == 1 ? items[0] : Tensor.Cat(items));                 // (B, C_z, T_z, H_z, W_z)
    }

    /// <summary>Throws unless <paramref name="model"/> reads this pipeline's latents and captions.</summary>
    private void CheckCompatible(SpacetimeDiT model)
    {
        var c = model.Config;
        if (c.InChannels != Vae.Config.LatentChannels)
            throw new ArgumentException($"the model takes {c.InChannels}-channel latents, the pipeline's VAE makes {Vae.Config.LatentChannels}", nameof(model));
        if (c.Text == TextConditioning.None || c.VocabSize < Tokenizer.VocabularySize || c.MaxTextLength < TextLength)
            throw new ArgumentException($"the model must read captions of the pipeline's tokenizer: text conditioning, vocabulary ≥ {Tokenizer.VocabularySize} " +
                $"and text length ≥ {TextLength}; it has {c.Text}, {c.VocabSize}, {c.MaxTextLength}", nameof(model));
    }

    /// <summary>
    /// <paramref name="model"/> with each call in its own autocast region (the state is per thread, and a sampler's
    /// consumer may resume it on another), the prediction returned in x's dtype so the sampler's arithmetic stays in
    /// float32. Inside an outer region around the whole loop, the weights are cast once instead of once per call.
    /// </summary>
    public static DiffusionModel WithAutocast(DiffusionModel model, Device device, DType dtype) => (x, t) =>
    {
        using var scope = DisposeScope.Enter();
        Tensor prediction;
        using (new Autocast(device, dtype)) prediction = model(x, t);
        return scope.Keep(prediction.To(x.DType));
    };

    /// <summary>Decodes a normalised latent (1, C_z, T_z, H_z, W_z) to a clip of bytes (the first item of a batch).</summary>
    public VideoClip Decode(Tensor latent, string caption = "")
    {
        using var first = latent.Narrow(0, 0, 1);
        return DecodeBatch(first, [caption])[0];
    }

    /// <summary>Decodes normalised latents (B, C_z, T_z, H_z, W_z) to clips of bytes, item i captioned <c>captions[i]</c>.</summary>
    public IReadOnlyList<VideoClip> DecodeBatch(Tensor latents, IReadOnlyList<string>? captions = null)
    {
        if (latents.Rank != 5) throw new ArgumentException($"latents are (B, C, T, H, W), got {Tensor.FormatShape(latents.Shape)}", nameof(latents));
        long b = latents.Size(0);
        if (captions is not null && captions.Count != b) throw new ArgumentException($"{captions.Count} captions for {b} latents", nameof(captions));
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var video = Vae.Decode(Vae.Denormalize(latents)).Clamp(-1, 1);               // (B, C, T, H, W)
        var bytes = ((video.Permute(0, 2, 3, 4, 1) + 1) * 127.5).Round().To(DType.UInt8, Device.Cpu).Contiguous(); // (B, T, H, W, C)
        var (t, h, w, c) = ((int)bytes.Size(1), (int)bytes.Size(2), (int)bytes.Size(3), (int)bytes.Size(4));
        var all = bytes.ToArray<byte>();
        int size = t * h * w * c;
        return Enumerable.Range(0, (int)b).Select(i => new VideoClip(all.AsSpan(i * size, size).ToArray(), t, h, w, c)
            { Caption = captions?[i] ?? "", Fps = 8 }).ToList();
    }

    /// <summary>Generates one clip for <paramref name="prompt"/>.</summary>
    public VideoClip Generate(string prompt, GenerationOptions? options = null, IProgress<SampleStep>? progress = null, CancellationToken cancel = default)
    {
        using var last = Finish(Trace(prompt, options ?? new GenerationOptions(), cancel), progress);
        return Decode(last, prompt);
    }

    /// <summary>
    /// One clip per prompt, sampled <paramref name="batchSize"/> at a time (clip i from seed <c>Seed + i</c>, as
    /// <see cref="Trace(IReadOnlyList{string}, GenerationOptions, SpacetimeDiT?, CancellationToken)"/>), with another
    /// <paramref name="model"/> if given; <paramref name="progress"/> hears the number of clips done.
    /// </summary>
    public IReadOnlyList<VideoClip> GenerateBatch(IReadOnlyList<string> prompts, GenerationOptions? options = null, SpacetimeDiT? model = null,
        int batchSize = 16, IProgress<int>? progress = null, CancellationToken cancel = default)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be at least 1");
        var o = options ?? new GenerationOptions();
        var clips = new List<VideoClip>();
        for (int start = 0; start < prompts.Count; start += batchSize)
        {
            var chunk = prompts.Skip(start).Take(batchSize).ToList();
            using var last = Finish(Trace(chunk, o with { Seed = o.Seed + (ulong)start }, model, cancel), null);
            clips.AddRange(DecodeBatch(last, chunk));
            progress?.Report(clips.Count);
        }
        return clips;
    }

    // Runs a trace to its end and returns the finished sample (the consumer's; the other steps' tensors are disposed).
    private static Tensor Finish(IEnumerable<SampleStep> trace, IProgress<SampleStep>? progress)
    {
        Tensor? last = null;
        foreach (var step in trace)
        {
            progress?.Report(step);
            last?.Dispose();
            step.PredictedX0.Dispose();
            last = step.X;
        }
        return last!;
    }

    public void Dispose()
    {
        Model.Dispose();
        Vae.Dispose();
    }
}
