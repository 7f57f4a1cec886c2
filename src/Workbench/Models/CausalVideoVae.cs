using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Models;

/// <summary>
/// Configuration of <see cref="CausalVideoVae"/>. Each level of <see cref="Channels"/> but the last ends
/// in a downsampling (spatial ×2 while <see cref="SpatialDownsample"/> allows, temporal ×2 while
/// <see cref="TemporalDownsample"/> allows), so a clip of 1 + k·r_t frames of H×W becomes 1 + k latent
/// frames of (H/r_s)×(W/r_s). With <see cref="PatchSize"/> p > 1, each frame is first folded into p×p patches
/// (space-to-depth, as LTX-Video's VAE does), so the first level already runs at H/p × W/p: the same work with
/// fewer, wider convolutions, which CPUs run far more efficiently than 16-channel ones at full resolution.
/// </summary>
public sealed record VaeConfig
{
    public int InChannels { get; init; } = 3;
    public int LatentChannels { get; init; } = 4;
    public int[] Channels { get; init; } = [16, 32, 64];
    public int ResBlocksPerLevel { get; init; } = 1;
    public int SpatialDownsample { get; init; } = 4;
    public int TemporalDownsample { get; init; } = 4;
    public int NormGroups { get; init; } = 8;
    /// <summary>Spatial patch folded into channels before the first conv (and unfolded after the last); part of <see cref="SpatialDownsample"/>.</summary>
    public int PatchSize { get; init; } = 1;
    /// <summary>Weight of the KL term against the per-element reconstruction loss.</summary>
    public double KlWeight { get; init; } = 1e-6;
    /// <summary>"l1" or "mse".</summary>
    public string ReconstructionLoss { get; init; } = "mse";

    /// <summary>CPU: 4× spatial (a 2×2 patch, then one downsampling), 4× temporal, 4 latent channels.</summary>
    public static VaeConfig Tiny => new() { PatchSize = 2 };

    /// <summary>8× spatial, 4× temporal, 16 latent channels (the Wan / CogVideoX ratios), for the GPU.</summary>
    public static VaeConfig Base => new() { LatentChannels = 16, Channels = [128, 256, 256, 512], ResBlocksPerLevel = 2, SpatialDownsample = 8, NormGroups = 32 };

    public static readonly IReadOnlyDictionary<string, VaeConfig> Presets = new Dictionary<string, VaeConfig>(StringComparer.OrdinalIgnoreCase)
    {
        ["tiny"] = Tiny, ["base"] = Base,
    };

    public int SpatialLevels => (int)Math.Log2(SpatialDownsample / PatchSize);
    public int TemporalLevels => (int)Math.Log2(TemporalDownsample);

    public void Validate()
    {
        if (!int.IsPow2(SpatialDownsample) || !int.IsPow2(TemporalDownsample))
            throw new ArgumentException($"downsampling factors must be powers of two, got spatial {SpatialDownsample}, temporal {TemporalDownsample}");
        if (!int.IsPow2(PatchSize) || PatchSize > SpatialDownsample)
            throw new ArgumentException($"the patch size must be a power of two no larger than the spatial downsampling {SpatialDownsample}, got {PatchSize}");
        if (Math.Max(SpatialLevels, TemporalLevels) > Channels.Length - 1)
            throw new ArgumentException($"{Channels.Length} levels allow {Channels.Length - 1} downsamplings, {Math.Max(SpatialLevels, TemporalLevels)} are needed");
        if (Channels.Any(c => c % NormGroups != 0)) throw new ArgumentException($"every channel count must be divisible by {NormGroups} norm groups");
        if (ReconstructionLoss is not ("l1" or "mse")) throw new ArgumentException($"reconstruction loss must be l1 or mse, got {ReconstructionLoss}");
    }
}

/// <summary>
/// GroupNorm applied to each frame on its own: statistics over (C/groups, H, W), never across time, so
/// normalisation cannot leak future frames into past ones (plain GroupNorm over (T, H, W) would).
/// </summary>
public sealed class FrameGroupNorm : Module
{
    private readonly GroupNorm _norm;

    public FrameGroupNorm(int groups, int channels) =>
        _norm = RegisterModule("norm", new GroupNorm(groups, channels));

    public Tensor Forward(Tensor x)
    {
        using var scope = DisposeScope.Enter();
        long b = x.Size(0), c = x.Size(1), t = x.Size(2), h = x.Size(3), w = x.Size(4);
        var frames = x.Permute(0, 2, 1, 3, 4).Reshape(b * t, c, h, w);           // (B·T, C, H, W)
        var normed = _norm.Forward(frames).Reshape(b, t, c, h, w).Permute(0, 2, 1, 3, 4);
        return scope.Keep(normed.Contiguous());
    }
}

/// <summary>FrameGroupNorm → SiLU → causal conv, twice, plus a (1×1×1) skip: the residual block of video VAEs.</summary>
public sealed class CausalResBlock : Module
{
    private readonly FrameGroupNorm _norm1, _norm2;
    private readonly CausalConv3d _conv1, _conv2;
    private readonly Conv3d? _skip;

    public CausalResBlock(int inChannels, int outChannels, int groups)
    {
        _norm1 = RegisterModule("norm1", new FrameGroupNorm(groups, inChannels));
        _conv1 = RegisterModule("conv1", new CausalConv3d(inChannels, outChannels, (3, 3, 3)));
        _norm2 = RegisterModule("norm2", new FrameGroupNorm(groups, outChannels));
        _conv2 = RegisterModule("conv2", new CausalConv3d(outChannels, outChannels, (3, 3, 3)));
        if (inChannels != outChannels) _skip = RegisterModule("skip", new Conv3d(inChannels, outChannels, (1, 1, 1)));
    }

    public Tensor Forward(Tensor x)
    {
        using var scope = DisposeScope.Enter();
        var h = _conv1.Forward(F.Silu(_norm1.Forward(x)));
        h = _conv2.Forward(F.Silu(_norm2.Forward(h)));
        return scope.Keep(h + (_skip?.Forward(x) ?? x));
    }
}

/// <summary>Halves H and W (and T, keeping the first frame alone) with a strided causal conv.</summary>
public sealed class CausalDownsample : Module
{
    private readonly CausalConv3d _conv;
    public bool Spatial { get; }
    public bool Temporal { get; }

    public CausalDownsample(int channels, bool spatial, bool temporal)
    {
        (Spatial, Temporal) = (spatial, temporal);
        // Stride 2 in time over a causal kernel of 3: output frame j sees input frames 2j−2..2j, so 1 + 2k frames → 1 + k
        // and frame 0 is encoded from frame 0 alone.
        _conv = RegisterModule("conv", new CausalConv3d(channels, channels, (3, 3, 3), stride: (temporal ? 2 : 1, spatial ? 2 : 1, spatial ? 2 : 1)));
    }

    public Tensor Forward(Tensor x) => _conv.Forward(x);
}

/// <summary>
/// Doubles H and W (nearest) and T (frame 0 kept once, later frames repeated: 1 + k → 1 + 2k), then a causal
/// conv that may also narrow the channels (cheaper than convolving the wide tensor at the higher resolution).
/// </summary>
public sealed class CausalUpsample : Module
{
    private readonly CausalConv3d _conv;
    public bool Spatial { get; }
    public bool Temporal { get; }

    public CausalUpsample(int inChannels, int outChannels, bool spatial, bool temporal)
    {
        (Spatial, Temporal) = (spatial, temporal);
        _conv = RegisterModule("conv", new CausalConv3d(inChannels, outChannels, (3, 3, 3)));
    }

    public Tensor Forward(Tensor x)
    {
        using var scope = DisposeScope.Enter();
        long t = x.Size(2), h = x.Size(3), w = x.Size(4);
        if (Temporal && t > 1)
        {
            var later = x.Narrow(2, 1, t - 1);
            later = F.Interpolate(later, [2 * (t - 1), h, w]);           // each later frame twice
            x = Tensor.Cat([x.Narrow(2, 0, 1), later], 2);              // (B, C, 1 + 2(t−1), H, W)
        }
        if (Spatial) x = F.Interpolate(x, [x.Size(2), 2 * h, 2 * w]);
        return scope.Keep(_conv.Forward(x));
    }
}

/// <summary>
/// A causal 3D VAE for video (in the manner of CogVideoX's and Wan's VAEs): causal convolutions in time,
/// so the first frame is encoded alone and an image is a one-frame video; a diagonal Gaussian posterior;
/// per-channel latent mean/std recorded after training, to normalise latents for diffusion.
/// Input (B, C, T, H, W) in [-1, 1] with T = 1 + k·r_t and H, W divisible by r_s.
/// </summary>
public sealed class CausalVideoVae : Module
{
    public VaeConfig Config { get; }

    private readonly CausalConv3d _encoderIn, _encoderOut, _decoderIn, _decoderOut;
    private readonly ModuleList<Module> _down, _up;
    private readonly CausalResBlock _encoderMid, _decoderMid;
    private readonly FrameGroupNorm _encoderNorm, _decoderNorm;
    private readonly Parameter _latentMean, _latentStd;

    public CausalVideoVae(VaeConfig config)
    {
        config.Validate();
        Config = config;
        var ch = config.Channels;
        int groups = config.NormGroups;

        // Encoder: conv in, levels of res blocks each followed by a downsampling (but the last), mid block, out to 2·latent.
        int patchChannels = config.InChannels * config.PatchSize * config.PatchSize;
        _encoderIn = RegisterModule("encoder_in", new CausalConv3d(patchChannels, ch[0], (3, 3, 3)));
        var down = new List<Module>();
        for (int level = 0; level < ch.Length; level++)
        {
            int inCh = level == 0 ? ch[0] : ch[level - 1];
            for (int r = 0; r < config.ResBlocksPerLevel; r++)
                down.Add(new CausalResBlock(r == 0 ? inCh : ch[level], ch[level], groups));
            if (level < ch.Length - 1 && (level < config.SpatialLevels || level < config.TemporalLevels))
                down.Add(new CausalDownsample(ch[level], spatial: level < config.SpatialLevels, temporal: level < config.TemporalLevels));
        }
        _down = RegisterModule("down", new ModuleList<Module>(down));
        _encoderMid = RegisterModule("encoder_mid", new CausalResBlock(ch[^1], ch[^1], groups));
        _encoderNorm = RegisterModule("encoder_norm", new FrameGroupNorm(groups, ch[^1]));
        _encoderOut = RegisterModule("encoder_out", new CausalConv3d(ch[^1], 2 * config.LatentChannels, (3, 3, 3)));

        // Decoder: the mirror image.
        _decoderIn = RegisterModule("decoder_in", new CausalConv3d(config.LatentChannels, ch[^1], (3, 3, 3)));
        _decoderMid = RegisterModule("decoder_mid", new CausalResBlock(ch[^1], ch[^1], groups));
        var up = new List<Module>();
        int current = ch[^1];
        for (int level = ch.Length - 1; level >= 0; level--)
        {
            for (int r = 0; r < config.ResBlocksPerLevel; r++)
            {
                up.Add(new CausalResBlock(current, ch[level], groups));
                current = ch[level];
            }
            int below = level - 1;
            if (below >= 0 && (below < config.SpatialLevels || below < config.TemporalLevels))
            {
                up.Add(new CausalUpsample(current, ch[below], spatial: below < config.SpatialLevels, temporal: below < config.TemporalLevels));
                current = ch[below];
            }
        }
        _up = RegisterModule("up", new ModuleList<Module>(up));
        _decoderNorm = RegisterModule("decoder_norm", new FrameGroupNorm(groups, ch[0]));
        _decoderOut = RegisterModule("decoder_out", new CausalConv3d(ch[0], patchChannels, (3, 3, 3)));

        _latentMean = RegisterBuffer("latent_mean", Tensor.Zeros([config.LatentChannels]));
        _latentStd = RegisterBuffer("latent_std", Tensor.Ones([config.LatentChannels]));
    }

    /// <summary>Latent shape (C, T, H, W) for a clip of <paramref name="frames"/> × <paramref name="height"/> × <paramref name="width"/>.</summary>
    public (long C, long T, long H, long W) LatentShape(long frames, long height, long width)
    {
        CheckClipShape(frames, height, width);
        return (Config.LatentChannels, 1 + (frames - 1) / Config.TemporalDownsample, height / Config.SpatialDownsample, width / Config.SpatialDownsample);
    }

    /// <summary>Pixels per latent value: (3·T·H·W) / (C_z·T_z·H_z·W_z).</summary>
    public double CompressionRatio(long frames, long height, long width)
    {
        var (c, t, h, w) = LatentShape(frames, height, width);
        return (double)(Config.InChannels * frames * height * width) / (c * t * h * w);
    }

    private void CheckClipShape(long frames, long height, long width)
    {
        if ((frames - 1) % Config.TemporalDownsample != 0 || height % Config.SpatialDownsample != 0 || width % Config.SpatialDownsample != 0)
            throw new ArgumentException($"the VAE needs T = 1 + k·{Config.TemporalDownsample} frames and H, W divisible by {Config.SpatialDownsample}; got T={frames}, H={height}, W={width}");
    }

    /// <summary>The posterior's mean and log-variance, each (B, C_z, T_z, H_z, W_z).</summary>
    public (Tensor Mean, Tensor LogVar) Encode(Tensor video)
    {
        if (video.Rank != 5 || video.Size(1) != Config.InChannels)
            throw new ArgumentException($"the VAE encodes (B, {Config.InChannels}, T, H, W) video, got {Tensor.FormatShape(video.Shape)}");
        CheckClipShape(video.Size(2), video.Size(3), video.Size(4));
        using var scope = DisposeScope.Enter();
        var h = _encoderIn.Forward(Patchify(video, Config.PatchSize));      // (B, ch0, T, H/p, W/p)
        foreach (var block in _down) h = Apply(block, h);                   // (B, ch_last, T_z, H_z, W_z)
        h = _encoderMid.Forward(h);
        h = _encoderOut.Forward(F.Silu(_encoderNorm.Forward(h)));           // (B, 2·C_z, T_z, H_z, W_z)
        var parts = h.Chunk(2, dim: 1);
        var logVar = parts[1].Clamp(-30, 20);
        return (scope.Keep(parts[0]), scope.Keep(logVar));
    }

    /// <summary>Video (B, C, T, H, W) from latents (B, C_z, T_z, H_z, W_z).</summary>
    public Tensor Decode(Tensor latent)
    {
        if (latent.Rank != 5 || latent.Size(1) != Config.LatentChannels)
            throw new ArgumentException($"the VAE decodes (B, {Config.LatentChannels}, T, H, W) latents, got {Tensor.FormatShape(latent.Shape)}");
        using var scope = DisposeScope.Enter();
        var h = _decoderMid.Forward(_decoderIn.Forward(latent));
        foreach (var block in _up) h = Apply(block, h);
        return scope.Keep(Unpatchify(_decoderOut.Forward(F.Silu(_decoderNorm.Forward(h))), Config.PatchSize));
    }

    /// <summary>Space-to-depth per frame: (B, C, T, H, W) → (B, C·p·p, T, H/p, W/p), channel index c·p² + i·p + j.</summary>
    public static Tensor Patchify(Tensor x, int p)
    {
        if (p == 1) return x;
        using var scope = DisposeScope.Enter();
        long b = x.Size(0), c = x.Size(1), t = x.Size(2), h = x.Size(3), w = x.Size(4);
        var patches = x.Reshape(b, c, t, h / p, p, w / p, p).Permute(0, 1, 4, 6, 2, 3, 5);   // (B, C, p, p, T, H/p, W/p)
        return scope.Keep(patches.Reshape(b, c * p * p, t, h / p, w / p));
    }

    /// <summary>Depth-to-space, the inverse of <see cref="Patchify"/>.</summary>
    public static Tensor Unpatchify(Tensor x, int p)
    {
        if (p == 1) return x;
        using var scope = DisposeScope.Enter();
        long b = x.Size(0), c = x.Size(1) / (p * p), t = x.Size(2), h = x.Size(3), w = x.Size(4);
        var frames = x.Reshape(b, c, p, p, t, h, w).Permute(0, 1, 4, 5, 2, 6, 3);              // (B, C, T, H/p, p, W/p, p)
        return scope.Keep(frames.Reshape(b, c, t, h * p, w * p));
    }

    private static Tensor Apply(Module block, Tensor h) => block switch
    {
        CausalResBlock r => r.Forward(h),
        CausalDownsample d => d.Forward(h),
        CausalUpsample u => u.Forward(h),
        _ => throw new InvalidOperationException($"unexpected block {block.GetType().Name}"),
    };

    /// <summary>z = μ + σ·ε, the reparameterised sample of the posterior.</summary>
    public static Tensor Sample(Tensor mean, Tensor logVar, Generator? generator = null)
    {
        using var scope = DisposeScope.Enter();
        var eps = Tensor.RandnLike(mean, generator);
        return scope.Keep(mean + (logVar * 0.5).Exp() * eps);
    }

    /// <summary>KL(q(z|x) ‖ N(0, I)) summed over latent elements, averaged over the batch.</summary>
    public static Tensor KlDivergence(Tensor mean, Tensor logVar)
    {
        using var scope = DisposeScope.Enter();
        var kl = (mean.Square() + logVar.Exp() - logVar - 1) * 0.5;         // (B, C_z, T_z, H_z, W_z)
        return scope.Keep(kl.Sum() / mean.Size(0));
    }

    /// <summary>The training loss: reconstruction (per element) + KlWeight · KL (per element of the input), and its parts.</summary>
    public (Tensor Loss, Tensor Reconstruction, Tensor Kl, Tensor Output) Loss(Tensor video, Generator? generator = null)
    {
        using var scope = DisposeScope.Enter();
        var (mean, logVar) = Encode(video);
        var output = Decode(Sample(mean, logVar, generator));
        var reconstruction = Config.ReconstructionLoss == "l1" ? F.L1Loss(output, video) : F.MseLoss(output, video);
        var kl = KlDivergence(mean, logVar) / (video.NumEl / video.Size(0));
        var loss = reconstruction + kl * Config.KlWeight;
        return (scope.Keep(loss), scope.Keep(reconstruction), scope.Keep(kl), scope.Keep(output));
    }

    /// <summary>Records the per-channel mean and std of posterior means over <paramref name="latents"/> (B, C_z, ...).</summary>
    public void SetLatentStatistics(Tensor latents)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var dims = new long[] { 0 }.Concat(Enumerable.Range(2, latents.Rank - 2).Select(d => (long)d)).ToArray();
        _latentMean.Value.Copy_(latents.Mean(dims));
        _latentStd.Value.Copy_(latents.Std(dims).ClampMin(1e-6));
    }

    public Tensor LatentMean => _latentMean.Value;
    public Tensor LatentStd => _latentStd.Value;

    /// <summary>(z − mean) / std per channel: latents with unit scale for diffusion.</summary>
    public Tensor Normalize(Tensor z) => PerChannel(z, (x, m, s) => (x - m) / s);

    public Tensor Denormalize(Tensor z) => PerChannel(z, (x, m, s) => x * s + m);

    private Tensor PerChannel(Tensor z, Func<Tensor, Tensor, Tensor, Tensor> f)
    {
        using var scope = DisposeScope.Enter();
        var shape = new long[z.Rank];
        Array.Fill(shape, 1L);
        shape[1] = Config.LatentChannels;
        return scope.Keep(f(z, LatentMean.Reshape(shape), LatentStd.Reshape(shape)));
    }

    public override string Describe() =>
        $"CausalVideoVae({Config.SpatialDownsample}× spatial, {Config.TemporalDownsample}× temporal, {Config.LatentChannels} latent channels)";
}
