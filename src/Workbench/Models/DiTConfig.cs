using Workbench.Models.Attention;
using Workbench.Torch;

namespace Workbench.Models;

/// <summary>How token positions enter the model.</summary>
public enum PositionEncoding
{
    /// <summary>3D rotary embedding of q and k in every attention (continuous positions: other frame rates and sizes).</summary>
    Rope3d,
    /// <summary>Fixed 3D sin-cos embedding added to the tokens once (DiT).</summary>
    SinCos,
}

/// <summary>How the timestep steers each block.</summary>
public enum Modulation
{
    /// <summary>Each block maps c to its shift/scale/gate with its own zero-initialised linear layer (DiT).</summary>
    AdaLNZero,
    /// <summary>One shared linear layer for all blocks plus a learned per-block table (PixArt-α adaLN-single, STDiT).</summary>
    AdaLNSingle,
}

/// <summary>How a caption conditions the video tokens.</summary>
public enum TextConditioning
{
    None,
    /// <summary>A cross-attention layer after self-attention in every block (PixArt, STDiT).</summary>
    CrossAttention,
    /// <summary>Text tokens with their own weights join the self-attention (MMDiT, CogVideoX, HunyuanVideo; narrower text stream as in Mochi).</summary>
    Joint,
}

/// <summary>
/// Configuration of <see cref="SpacetimeDiT"/>. Presets: <see cref="Tiny"/> for 2 CPU cores, and DiT's S, B, L
/// sizes for the GPU. Variants: <c>DiTConfig.Tiny with { Attention = AttentionLayout.Factorized }</c>.
/// </summary>
public sealed record DiTConfig
{
    /// <summary>Channels of the (latent) video.</summary>
    public int InChannels { get; init; } = 4;
    /// <summary>Patch size (p_t, p_h, p_w) in latent frames and pixels; T, H, W must divide by it.</summary>
    public (int T, int H, int W) Patch { get; init; } = (1, 2, 2);
    public int Hidden { get; init; } = 128;
    public int Depth { get; init; } = 4;
    public int Heads { get; init; } = 4;
    public double MlpRatio { get; init; } = 4;
    public AttentionLayout Attention { get; init; } = AttentionLayout.Joint;
    /// <summary>Window (t, h, w) in tokens for <see cref="AttentionLayout.Windowed"/>.</summary>
    public (int T, int H, int W) Window { get; init; } = (2, 4, 4);
    /// <summary>Shift the windows by half their size on odd blocks (Swin).</summary>
    public bool ShiftWindows { get; init; } = true;
    public PositionEncoding Positions { get; init; } = PositionEncoding.Rope3d;
    public double RopeTheta { get; init; } = 10000;
    public Modulation Modulation { get; init; } = Modulation.AdaLNZero;
    /// <summary>RMS-normalise queries and keys per head (SD3, HunyuanVideo), for stable training at scale.</summary>
    public bool QkNorm { get; init; }
    public TextConditioning Text { get; init; } = TextConditioning.CrossAttention;
    /// <summary>Token ids the text encoder accepts; at least the tokenizer's <see cref="CaptionTokenizer.VocabularySize"/>.</summary>
    public int VocabSize { get; init; } = 512;
    public int MaxTextLength { get; init; } = 32;
    /// <summary>Width of the text stream; may be narrower than <see cref="Hidden"/> (Mochi's asymmetric DiT).</summary>
    public int TextHidden { get; init; } = 64;
    public int TextDepth { get; init; } = 2;
    public int TextHeads { get; init; } = 2;
    /// <summary>Probability of replacing a caption by the null embedding in training (for classifier-free guidance).</summary>
    public double TextDropout { get; init; } = 0.1;
    /// <summary>Take a clean reference latent and its mask as extra input channels (image-to-video, identity keeping).</summary>
    public bool FrameConditioning { get; init; }
    /// <summary>Model time × this goes into the sinusoidal embedding: 1000 for flow-matching t ∈ [0, 1], 1 for DDPM step indices.</summary>
    public double TimestepScale { get; init; } = 1000;

    /// <summary>CPU: 4-channel latents of 5 frames × 8×8 become 80 tokens; ~1.6M parameters.</summary>
    public static DiTConfig Tiny => new();
    /// <summary>DiT-S: hidden 384, depth 12, 6 heads.</summary>
    public static DiTConfig S => new() { Hidden = 384, Depth = 12, Heads = 6, TextHidden = 256, TextDepth = 4, TextHeads = 4, MaxTextLength = 64, VocabSize = 4096, QkNorm = true };
    /// <summary>DiT-B: hidden 768, depth 12, 12 heads.</summary>
    public static DiTConfig B => S with { Hidden = 768, Heads = 12, TextHidden = 384, TextDepth = 6, TextHeads = 6 };
    /// <summary>DiT-L: hidden 1024, depth 24, 16 heads.</summary>
    public static DiTConfig L => S with { Hidden = 1024, Depth = 24, Heads = 16, TextHidden = 512, TextDepth = 8, TextHeads = 8 };

    public static readonly IReadOnlyDictionary<string, DiTConfig> Presets = new Dictionary<string, DiTConfig>(StringComparer.OrdinalIgnoreCase)
    {
        ["tiny"] = Tiny, ["S"] = S, ["B"] = B, ["L"] = L,
    };

    public int HeadDim => Hidden / Heads;
    public int MlpHidden => (int)(Hidden * MlpRatio);
    public int TextMlpHidden => (int)(TextHidden * MlpRatio);
    public int PatchVolume => Patch.T * Patch.H * Patch.W;
    /// <summary>Input channels of the patch embedding: the video, plus reference latent and mask with frame conditioning.</summary>
    public int EmbedChannels => FrameConditioning ? 2 * InChannels + 1 : InChannels;

    /// <summary>The token grid for a latent of T × H × W; throws unless the patch divides it.</summary>
    public SpacetimeGrid Grid(long t, long h, long w)
    {
        if (t < 1 || h < 1 || w < 1 || t % Patch.T != 0 || h % Patch.H != 0 || w % Patch.W != 0)
            throw new ArgumentException($"a {t}×{h}×{w} latent does not divide into patches of {Patch.T}×{Patch.H}×{Patch.W}");
        return new SpacetimeGrid(t / Patch.T, h / Patch.H, w / Patch.W);
    }

    public void Validate()
    {
        if (InChannels < 1 || Depth < 1 || Heads < 1 || Hidden % Heads != 0)
            throw new ArgumentException($"need channels, depth, heads ≥ 1 and hidden divisible by heads; got channels {InChannels}, depth {Depth}, hidden {Hidden}, heads {Heads}");
        if (Patch.T < 1 || Patch.H < 1 || Patch.W < 1) throw new ArgumentException($"patch sizes must be positive, got {Patch}");
        if (Positions == PositionEncoding.Rope3d && (HeadDim < 8 || HeadDim % 2 != 0))
            throw new ArgumentException($"3D RoPE needs an even head dim ≥ 8, got {HeadDim} (hidden {Hidden} / {Heads} heads)");
        if (Positions == PositionEncoding.SinCos && (Hidden < 8 || Hidden % 2 != 0))
            throw new ArgumentException($"3D sin-cos positions need an even hidden size ≥ 8, got {Hidden}");
        if (Window.T < 1 || Window.H < 1 || Window.W < 1) throw new ArgumentException($"window sizes must be positive, got {Window}");
        if (!(TimestepScale > 0)) throw new ArgumentException($"timestep scale must be positive, got {TimestepScale}");
        if (!(TextDropout >= 0 && TextDropout < 1)) throw new ArgumentException($"text dropout must be in [0, 1), got {TextDropout}");
        if (Text != TextConditioning.None && (TextHidden % TextHeads != 0 || VocabSize <= CaptionTokenizer.Reserved.Count || MaxTextLength < 1))
            throw new ArgumentException($"text needs TextHidden divisible by TextHeads, VocabSize > {CaptionTokenizer.Reserved.Count} and MaxTextLength ≥ 1; got {TextHidden}/{TextHeads}, {VocabSize}, {MaxTextLength}");
    }
}

/// <summary>
/// What a forward pass is conditioned on besides x and t. Text: token ids <see cref="Text"/> (B, L) or
/// precomputed <see cref="TextEmbedding"/> (B, L, D_text) (neither: the learned null embedding, unconditional);
/// <see cref="DropText"/> (B) bool replaces chosen samples' text by the null embedding (CFG training).
/// Frames: a clean latent <see cref="FrameLatent"/> (B, C, T, H, W) read where <see cref="FrameMask"/>
/// (broadcastable to (B, 1, T, H, W), 1 = given) is set. Positions: RoPE / sin-cos grid step and offset
/// in token units. A batch of 1 is broadcast; a batch that divides x's is repeated (the halves of CFG).
/// <see cref="TokenMerging"/> runs the attention on merged frame pairs (a per-call speed setting, not a condition).
/// </summary>
public sealed record DiTConditioning
{
    public Tensor? Text { get; init; }
    public Tensor? TextEmbedding { get; init; }
    public Tensor? DropText { get; init; }
    public Tensor? FrameLatent { get; init; }
    public Tensor? FrameMask { get; init; }
    public (double T, double H, double W) PositionStep { get; init; } = (1, 1, 1);
    public (double T, double H, double W) PositionOffset { get; init; } = (0, 0, 0);
    /// <summary>Temporal token merging for this call (null: off); see <see cref="Attention.TokenMerging"/>.</summary>
    public TokenMerging? TokenMerging { get; init; }

    /// <summary>Image-to-video: <paramref name="image"/> (B, C, 1, H, W) as frame 0 of a <paramref name="frames"/>-frame latent.</summary>
    public DiTConditioning WithFirstFrame(Tensor image, long frames)
    {
        if (image.Rank != 5 || image.Size(2) != 1) throw new ArgumentException($"the first frame is a (B, C, 1, H, W) latent, got {Tensor.FormatShape(image.Shape)}", nameof(image));
        if (frames < 1) throw new ArgumentOutOfRangeException(nameof(frames), $"a clip has at least one frame, got {frames}");
        var latent = image.Pad([0, 0, 0, 0, 0, frames - 1]);                        // (B, C, T, H, W), zeros after frame 0
        return WithReferenceFrames(latent, 0);
    }

    /// <summary>Frames <paramref name="frames"/> of the clean latent <paramref name="clean"/> (B, C, T, H, W) are given.</summary>
    public DiTConditioning WithReferenceFrames(Tensor clean, params long[] frames)
    {
        if (clean.Rank != 5) throw new ArgumentException($"reference latents are (B, C, T, H, W), got {Tensor.FormatShape(clean.Shape)}", nameof(clean));
        var mask = new float[clean.Size(2)];
        foreach (var f in frames)
        {
            if (f < 0 || f >= mask.Length) throw new ArgumentOutOfRangeException(nameof(frames), $"frame {f} is outside the {mask.Length}-frame latent");
            mask[f] = 1;
        }
        return this with { FrameLatent = clean, FrameMask = Tensor.From(mask, [1, 1, mask.Length, 1, 1], clean.Device).To(clean.DType) };
    }
}
