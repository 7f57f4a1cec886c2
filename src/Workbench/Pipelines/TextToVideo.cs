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
    public IEnumerable<SampleStep> Trace(string prompt, GenerationOptions o, CancellationToken cancel = default)
    {
        var tokens = Tokenize(prompt).DetachFromScope();
        var sampler = Samplers.Create(new SamplerConfig(o.Sampler, Leap: o.Leap), Objective);
        int mergedSteps = EarlySteps.Count(o.TokenMerging, o.Steps);
        using var generator = new Generator(o.Seed, Device);
        var noise = Tensor.Randn(LatentShape(o), device: Device, generator: generator).DetachFromScope();
        Tensor text, nothing;
        using (new NoGrad())
        {
            text = Model.EncodeText(tokens).DetachFromScope();                          // (1, L, D_text)
            nothing = Model.NullTextEmbedding(TextLength).DetachFromScope();            // (1, L, D_text)
        }
        DiffusionModel Guided(DiTConditioning c) => o.Guidance == 1
            ? Model.AsDiffusionModel(c with { TextEmbedding = text })
            : ClassifierFreeGuidance.Wrap(Model.AsConditionalModel(c), text, nothing, new GuidanceConfig(o.Guidance, o.GuidanceRescale));
        var model = EarlySteps.Switch(Guided(new DiTConditioning { TokenMerging = new() }), Guided(new DiTConditioning()),
            Objective.SamplingTimes(o.Steps), mergedSteps);
        if (o.MixedPrecision is { } dtype) model = WithAutocast(model, Device, dtype);
        try
        {
            foreach (var step in sampler.Sample(model, noise, o.Steps, generator, cancel)) yield return step;
        }
        finally
        {
            tokens.Dispose(); noise.Dispose(); text.Dispose(); nothing.Dispose();
        }
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

    /// <summary>Decodes a normalised latent to a clip of bytes.</summary>
    public VideoClip Decode(Tensor latent, string caption = "")
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var video = Vae.Decode(Vae.Denormalize(latent)).Clamp(-1, 1);               // (1, C, T, H, W)
        var bytes = ((video[0].Permute(1, 2, 3, 0) + 1) * 127.5).Round().To(DType.UInt8, Device.Cpu).Contiguous(); // (T, H, W, C)
        var shape = bytes.Shape;
        return new VideoClip(bytes.ToArray<byte>(), (int)shape[0], (int)shape[1], (int)shape[2], (int)shape[3]) { Caption = caption, Fps = 8 };
    }

    /// <summary>Generates one clip for <paramref name="prompt"/>.</summary>
    public VideoClip Generate(string prompt, GenerationOptions? options = null, IProgress<SampleStep>? progress = null, CancellationToken cancel = default)
    {
        var o = options ?? new GenerationOptions();
        Tensor? last = null;
        foreach (var step in Trace(prompt, o, cancel))
        {
            progress?.Report(step);
            last?.Dispose();
            step.PredictedX0.Dispose();
            last = step.X;
        }
        using (last) return Decode(last!, prompt);
    }

    public void Dispose()
    {
        Model.Dispose();
        Vae.Dispose();
    }
}
