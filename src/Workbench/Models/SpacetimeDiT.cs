using Workbench.Diffusion;
using Workbench.Models.Attention;
using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Models;

/// <summary>SiLU then a linear layer, registered as child "1" (PyTorch's nn.Sequential(SiLU(), Linear) keys: <c>adaLN_modulation.1.weight</c>).</summary>
public sealed class SiluLinear : Module
{
    public Linear Linear { get; }
    public SiluLinear(int inFeatures, int outFeatures) => Linear = RegisterModule("1", new Linear(inFeatures, outFeatures));
    public Tensor Forward(Tensor x)
    {
        using var scope = DisposeScope.Enter();
        return scope.Keep(Linear.Forward(F.Silu(x)));
    }
}

/// <summary>Cuts (B, C, T, H, W) into p_t×p_h×p_w patches and projects each to D (a strided Conv3d, key <c>proj</c>).</summary>
public sealed class PatchEmbed3d : Module
{
    public Conv3d Proj { get; }
    public PatchEmbed3d(int channels, int dim, (int T, int H, int W) patch) =>
        Proj = RegisterModule("proj", new Conv3d(channels, dim, (patch.T, patch.H, patch.W), stride: (patch.T, patch.H, patch.W)));

    public Tensor Forward(Tensor x)
    {
        using var scope = DisposeScope.Enter();
        return scope.Keep(Proj.Forward(x).Flatten(2).Transpose(1, 2));             // (B, T'·H'·W', D) in (t, h, w) order
    }
}

/// <summary>DiT's timestep embedder: 256 sinusoidal frequencies of the (scaled) time → Linear → SiLU → Linear (keys mlp.0, mlp.2).</summary>
public sealed class TimestepEmbedder : Module
{
    public const int FrequencyDim = 256;
    private sealed class MlpLayers : Module
    {
        public readonly Linear First, Second;
        public MlpLayers(int dim) { First = RegisterModule("0", new Linear(FrequencyDim, dim)); Second = RegisterModule("2", new Linear(dim, dim)); }
    }
    private readonly MlpLayers _mlp;
    public Linear First => _mlp.First;
    public Linear Second => _mlp.Second;

    public TimestepEmbedder(int dim) => _mlp = RegisterModule("mlp", new MlpLayers(dim));

    /// <summary>[cos(t·f), sin(t·f)] with f_i = 10000^(−i/128), i &lt; 128: (B, 256), float32.</summary>
    public static Tensor Sinusoidal(Tensor t)
    {
        using var scope = DisposeScope.Enter();
        int half = FrequencyDim / 2;
        var freqs = (Tensor.Arange(0, half, 1, DType.Float32, t.Device) * (-Math.Log(10000) / half)).Exp();
        var args = t.To(DType.Float32).Unsqueeze(1) * freqs.Unsqueeze(0);           // (B, 128)
        return scope.Keep(Tensor.Cat([args.Cos(), args.Sin()], 1));                 // (B, 256)
    }

    public Tensor Forward(Tensor t)
    {
        using var scope = DisposeScope.Enter();
        var f = Sinusoidal(t).To(First.Weight.Value.DType);
        return scope.Keep(Second.Forward(F.Silu(First.Forward(f))));                 // (B, D)
    }
}

/// <summary>Cross-attention from video queries (B, N, D) to text (B, L, D_text), as in PixArt (keys q_linear, kv_linear, proj).</summary>
public sealed class CrossAttention : Module
{
    private readonly Linear _q, _kv, _proj;
    private readonly RMSNorm? _qNorm, _kNorm;
    private readonly int _heads;

    public CrossAttention(int dim, int textDim, int heads, bool qkNorm)
    {
        _heads = heads;
        _q = RegisterModule("q_linear", new Linear(dim, dim));
        _kv = RegisterModule("kv_linear", new Linear(textDim, 2 * dim));
        if (qkNorm) { _qNorm = RegisterModule("q_norm", new RMSNorm(dim / heads)); _kNorm = RegisterModule("k_norm", new RMSNorm(dim / heads)); }
        _proj = RegisterModule("proj", new Linear(dim, dim));
    }

    public Linear Proj => _proj;

    public Tensor Forward(Tensor x, Tensor y)
    {
        using var scope = DisposeScope.Enter();
        long b = x.Size(0), n = x.Size(1), l = y.Size(1), d = x.Size(2), hd = d / _heads;
        var q = _q.Forward(x).Reshape(b, n, _heads, hd).Transpose(1, 2);            // (B, heads, N, hd)
        var kv = _kv.Forward(y).Reshape(b, l, 2, _heads, hd).Permute(2, 0, 3, 1, 4); // (2, B, heads, L, hd)
        Tensor k = kv[0], v = kv[1];
        if (_qNorm is not null) { q = _qNorm.Forward(q); k = _kNorm!.Forward(k); }
        var attended = F.ScaledDotProductAttention(q, k, v);                         // (B, heads, N, hd)
        return scope.Keep(_proj.Forward(attended.Transpose(1, 2).Reshape(b, n, d))); // (B, N, D)
    }
}

/// <summary>
/// One DiT block: x + gate·attn(modulate(norm1(x))), [x + cross_attn(x, text)], x + gate·mlp(modulate(norm2(x))),
/// with the attention layout of the config. In joint-text mode a text stream of width D_text runs alongside with
/// its own norms, qkv, proj, MLP and modulation; the last block only supplies text keys and values (SD3's pre-only block).
/// </summary>
public sealed class DiTBlock : Module
{
    private readonly LayerNorm _norm1, _norm2;
    private readonly Mlp _mlp;
    private readonly CrossAttention? _cross;
    private readonly SiluLinear? _adaLN, _textAdaLN;
    private readonly Parameter? _table, _textTable;
    private readonly LayerNorm? _textNorm1, _textNorm2;
    private readonly Linear? _textQkv, _textProj;
    private readonly RMSNorm? _textQNorm, _textKNorm;
    private readonly Mlp? _textMlp;
    private readonly int _heads;

    public ISpacetimeAttention Attention { get; }
    /// <summary>False for the last block in joint-text mode: it reads text keys/values but does not update the text.</summary>
    public bool TextOutput { get; }
    public CrossAttention? Cross => _cross;

    public DiTBlock(DiTConfig c, int index)
    {
        int d = c.Hidden, dt = c.TextHidden;
        _heads = c.Heads;
        bool single = c.Modulation == Modulation.AdaLNSingle, joint = c.Text == TextConditioning.Joint;
        TextOutput = joint && index < c.Depth - 1;
        _norm1 = RegisterModule("norm1", new LayerNorm(d, affine: false));
        Attention = SpacetimeAttention.Create(c.Attention, index, d, c.Heads, c.QkNorm, c.Window, c.ShiftWindows);
        foreach (var (name, attn) in Attention.Modules) RegisterModule(name, attn);
        if (c.Text == TextConditioning.CrossAttention) _cross = RegisterModule("cross_attn", new CrossAttention(d, dt, c.Heads, c.QkNorm));
        _norm2 = RegisterModule("norm2", new LayerNorm(d, affine: false));
        _mlp = RegisterModule("mlp", new Mlp(d, c.MlpHidden));
        if (single) _table = RegisterParameter("scale_shift_table", Tensor.Randn([6, d]) / Math.Sqrt(d));
        else _adaLN = RegisterModule("adaLN_modulation", new SiluLinear(d, 6 * d));
        if (!joint) return;
        int textMods = TextOutput ? 6 : 2;
        _textNorm1 = RegisterModule("text_norm1", new LayerNorm(dt, affine: false));
        _textQkv = RegisterModule("text_qkv", new Linear(dt, 3 * d));
        if (c.QkNorm && TextOutput) _textQNorm = RegisterModule("text_q_norm", new RMSNorm(c.HeadDim));
        if (c.QkNorm) _textKNorm = RegisterModule("text_k_norm", new RMSNorm(c.HeadDim));
        if (TextOutput)
        {
            _textProj = RegisterModule("text_proj", new Linear(d, dt));
            _textNorm2 = RegisterModule("text_norm2", new LayerNorm(dt, affine: false));
            _textMlp = RegisterModule("text_mlp", new Mlp(dt, c.TextMlpHidden));
        }
        if (single) _textTable = RegisterParameter("text_scale_shift_table", Tensor.Randn([textMods, dt]) / Math.Sqrt(dt));
        else _textAdaLN = RegisterModule("text_adaLN_modulation", new SiluLinear(d, textMods * dt));
    }

    internal SiluLinear? AdaLN => _adaLN;
    internal SiluLinear? TextAdaLN => _textAdaLN;

    /// <summary>Shift/scale/gate rows (B, k, width): own layer of c (adaLN-Zero), or table + shared t0 (adaLN-single).</summary>
    private static Tensor Modulations(SiluLinear? layer, Parameter? table, Tensor c, long b, int k, long width) => layer is not null
        ? layer.Forward(c).Reshape(b, k, width)                                     // c: (B, D)
        : table!.Value.Unsqueeze(0) + c.Reshape(b, 6, width).Narrow(1, 0, k);        // c: (B, 6·width)

    private static Tensor Modulate(Tensor x, Tensor m, int shift, int scale) => x * (m.Narrow(1, scale, 1) + 1) + m.Narrow(1, shift, 1);

    /// <param name="x">Video tokens (B, N, D).</param>
    /// <param name="y">Text (B, L, D_text): the encoder output (cross-attention) or the text stream (joint); null without text.</param>
    /// <param name="c">(B, D) for adaLN-Zero; the shared t0 (B, 6D) for adaLN-single.</param>
    /// <param name="cText">Joint text: (B, D), or the shared text t0 (B, 6·D_text) for adaLN-single.</param>
    /// <param name="merge">Temporal token merging: self-attention (and, if its settings say so, cross-attention) runs on merged frame pairs.</param>
    public (Tensor X, Tensor? Y) Forward(Tensor x, Tensor? y, Tensor c, Tensor cText, SpacetimeGrid grid, RopeTables? rope, AttentionProbe? probe,
        FramePairs? merge = null)
    {
        using var scope = DisposeScope.Enter();
        long b = x.Size(0), d = x.Size(2);
        var m = Modulations(_adaLN, _table, c, b, 6, d);                            // (B, 6, D): shift, scale, gate (msa); shift, scale, gate (mlp)
        JointText? text = null;
        Tensor? tm = null;
        if (_textQkv is not null)
        {
            long l = y!.Size(1), dt = y.Size(2), hd = d / _heads;
            tm = Modulations(_textAdaLN, _textTable, cText, b, TextOutput ? 6 : 2, dt); // (B, 6 or 2, D_text)
            var qkv = _textQkv.Forward(Modulate(_textNorm1!.Forward(y), tm, 0, 1)).Reshape(b, l, 3, _heads, hd).Permute(2, 0, 3, 1, 4); // (3, B, heads, L, hd)
            Tensor tq = qkv[0], tk = qkv[1], tv = qkv[2];
            if (_textQNorm is not null) tq = _textQNorm.Forward(tq);
            if (_textKNorm is not null) tk = _textKNorm.Forward(tk);
            text = new JointText(TextOutput ? tq : null, tk, tv);
        }
        var (attended, textAttended) = Attention.Forward(Modulate(_norm1.Forward(x), m, 0, 1), grid, rope, text, probe, merge); // (B, N, D)
        x = x + m.Narrow(1, 2, 1) * attended;
        if (_cross is not null)
            x = x + (merge is { Settings.CrossAttention: true } ? merge.Unmerge(_cross.Forward(merge.Merge(x), y!)) : _cross.Forward(x, y!));
        x = x + m.Narrow(1, 5, 1) * _mlp.Forward(Modulate(_norm2.Forward(x), m, 3, 4)); // (B, N, D)
        if (TextOutput)
        {
            long l = y!.Size(1);
            y = y + tm!.Narrow(1, 2, 1) * _textProj!.Forward(textAttended!.Transpose(1, 2).Reshape(b, l, d)); // (B, L, D_text)
            y = y + tm.Narrow(1, 5, 1) * _textMlp!.Forward(Modulate(_textNorm2!.Forward(y), tm, 3, 4));
        }
        return (scope.Keep(x), y is null ? null : scope.Keep(y.Alias()));
    }
}

/// <summary>DiT's final layer: modulated LayerNorm, then a linear map to p_t·p_h·p_w·C values per token.</summary>
public sealed class FinalLayer : Module
{
    private readonly LayerNorm _norm;
    private readonly SiluLinear? _adaLN;
    private readonly Parameter? _table;
    public Linear Linear { get; }
    internal SiluLinear? AdaLN => _adaLN;

    public FinalLayer(int dim, int outFeatures, Modulation modulation)
    {
        _norm = RegisterModule("norm_final", new LayerNorm(dim, affine: false));
        Linear = RegisterModule("linear", new Linear(dim, outFeatures));
        if (modulation == Modulation.AdaLNZero) _adaLN = RegisterModule("adaLN_modulation", new SiluLinear(dim, 2 * dim));
        else _table = RegisterParameter("scale_shift_table", Tensor.Randn([2, dim]) / Math.Sqrt(dim));
    }

    /// <param name="x">(B, N, D).</param><param name="temb">The timestep embedding (B, D).</param>
    public Tensor Forward(Tensor x, Tensor temb)
    {
        using var scope = DisposeScope.Enter();
        long b = x.Size(0), d = x.Size(2);
        var m = _adaLN is not null ? _adaLN.Forward(temb).Reshape(b, 2, d) : _table!.Value.Unsqueeze(0) + temb.Unsqueeze(1); // (B, 2, D)
        var h = _norm.Forward(x) * (m.Narrow(1, 1, 1) + 1) + m.Narrow(1, 0, 1);
        return scope.Keep(Linear.Forward(h));                                       // (B, N, p·C)
    }
}

/// <summary>
/// A spacetime diffusion transformer (Peebles &amp; Xie 2023, DiT, extended to video as in Sora / Open-Sora /
/// Latte): a latent (or pixel) clip (B, C, T, H, W) of any T, H, W divisible by the patch is cut into
/// T'·H'·W' spacetime patch tokens, denoised by <see cref="DiTConfig.Depth"/> blocks whose attention follows
/// one of the <see cref="AttentionLayout"/>s, and put back together: output (B, C, T, H, W), the objective's
/// prediction (ε, v or velocity). Conditioning: the timestep (adaLN), a caption (cross-attention or joint
/// tokens, with a learned null embedding for classifier-free guidance), reference frames (extra input channels).
/// An image is a one-frame clip.
/// </summary>
public sealed class SpacetimeDiT : Module
{
    private readonly PatchEmbed3d _xEmbedder;
    private readonly TimestepEmbedder _tEmbedder;
    private readonly SiluLinear? _tBlock, _tBlockText;
    private readonly TextEncoder? _textEncoder;
    private readonly Parameter? _nullText;
    private readonly ModuleList<DiTBlock> _blocks;
    private readonly FinalLayer _finalLayer;
    private readonly Rope3d? _rope;

    public DiTConfig Config { get; }
    public IReadOnlyList<DiTBlock> Blocks => _blocks;

    public SpacetimeDiT(DiTConfig config)
    {
        config.Validate();
        Config = config;
        int d = config.Hidden;
        _xEmbedder = RegisterModule("x_embedder", new PatchEmbed3d(config.EmbedChannels, d, config.Patch));
        _tEmbedder = RegisterModule("t_embedder", new TimestepEmbedder(d));
        if (config.Modulation == Modulation.AdaLNSingle)
        {
            _tBlock = RegisterModule("t_block", new SiluLinear(d, 6 * d));
            if (config.Text == TextConditioning.Joint) _tBlockText = RegisterModule("t_block_text", new SiluLinear(d, 6 * config.TextHidden));
        }
        if (config.Text != TextConditioning.None)
        {
            _textEncoder = RegisterModule("text_encoder", new TextEncoder(config.VocabSize, config.TextHidden, config.TextDepth, config.TextHeads, config.MaxTextLength, config.MlpRatio));
            _nullText = RegisterParameter("y_embedding", Tensor.Randn([config.MaxTextLength, config.TextHidden]) / Math.Sqrt(config.TextHidden));
        }
        _blocks = RegisterModule("blocks", new ModuleList<DiTBlock>(Enumerable.Range(0, config.Depth).Select(i => new DiTBlock(config, i))));
        _finalLayer = RegisterModule("final_layer", new FinalLayer(d, config.PatchVolume * config.InChannels, config.Modulation));
        if (config.Positions == PositionEncoding.Rope3d) _rope = new Rope3d(config.HeadDim, config.RopeTheta);
        InitializeWeights();
    }

    /// <summary>DiT's initialisation: xavier linears, N(0, 0.02) timestep MLP, zero adaLN layers, zero output and cross-attention projections.</summary>
    private void InitializeWeights()
    {
        using var noGrad = new NoGrad();
        static IEnumerable<Module> All(Module m) => m.NamedChildren().SelectMany(c => All(c.Module)).Prepend(m);
        void Set(Parameter? p, Tensor value) { if (p is null) return; p.Value.Copy_(value); value.Dispose(); }
        void Zero(Linear? l) { l?.Weight.Value.Zero_(); l?.Bias?.Value.Zero_(); }
        foreach (var linear in All(this).OfType<Linear>())
        {
            Set(linear.Weight, Init.XavierUniform(linear.Weight.Shape, linear.InFeatures, linear.OutFeatures));
            linear.Bias?.Value.Zero_();
        }
        var w = _xEmbedder.Proj.Weight;
        Set(w, Init.XavierUniform(w.Shape, Config.EmbedChannels * Config.PatchVolume, Config.Hidden));
        _xEmbedder.Proj.Bias?.Value.Zero_();
        Set(_tEmbedder.First.Weight, Init.Normal(_tEmbedder.First.Weight.Shape, 0.02));
        Set(_tEmbedder.Second.Weight, Init.Normal(_tEmbedder.Second.Weight.Shape, 0.02));
        foreach (var t in new[] { _tBlock, _tBlockText }) if (t is not null) Set(t.Linear.Weight, Init.Normal(t.Linear.Weight.Shape, 0.02));
        foreach (var block in _blocks)
        {
            Zero(block.AdaLN?.Linear);
            Zero(block.TextAdaLN?.Linear);
            Zero(block.Cross?.Proj);
        }
        Zero(_finalLayer.AdaLN?.Linear);
        Zero(_finalLayer.Linear);
    }

    /// <summary>The prediction (B, C, T, H, W) for noisy <paramref name="x"/> (B, C, T, H, W) at model times <paramref name="t"/> (B) (or one time for all).</summary>
    public Tensor Forward(Tensor x, Tensor t, DiTConditioning? cond = null) => Run(x, t, cond, null);

    /// <summary>The forward pass that also returns the attention weights the probe asks for (one map per stage of its block).</summary>
    public (Tensor Output, IReadOnlyList<AttentionMap> Maps) ForwardWithAttention(Tensor x, Tensor t, AttentionProbe probe, DiTConditioning? cond = null)
    {
        if (probe.Block < 0 || probe.Block >= Config.Depth) throw new ArgumentOutOfRangeException(nameof(probe), $"probe block {probe.Block} is out of range for {Config.Depth} blocks");
        var output = Run(x, t, cond, probe);
        return (output, probe.Maps);
    }

    private Tensor Run(Tensor x, Tensor t, DiTConditioning? cond, AttentionProbe? probe)
    {
        var c = Config;
        if (x.Rank != 5 || x.Size(1) != c.InChannels)
            throw new ArgumentException($"SpacetimeDiT takes (B, {c.InChannels}, T, H, W), got {Tensor.FormatShape(x.Shape)}", nameof(x));
        cond ??= new DiTConditioning();
        long b = x.Size(0);
        var grid = c.Grid(x.Size(2), x.Size(3), x.Size(4)) with { Step = cond.PositionStep, Offset = cond.PositionOffset };
        using var scope = DisposeScope.Enter();
        var tokens = _xEmbedder.Forward(FrameInput(x, cond));                        // (B, N, D)
        if (c.Positions == PositionEncoding.SinCos) tokens = tokens + Rope3d.SinCosEmbedding(c.Hidden, grid, tokens.DType, x.Device);
        var rope = _rope?.Tables(grid, x.DType, x.Device);                          // (N, head_dim/2) each
        var merge = FramePairsFor(grid, cond.TokenMerging, probe, x);
        var temb = _tEmbedder.Forward(Timesteps(t, b) * c.TimestepScale);           // (B, D)
        var c0 = _tBlock?.Forward(temb) ?? temb;                                    // (B, D), or (B, 6D) shared by all blocks
        var cText = _tBlockText?.Forward(temb) ?? temb;
        var y = TextStream(cond, b);                                                // (B, L, D_text) or null
        foreach (var block in _blocks) (tokens, y) = block.Forward(tokens, y, c0, cText, grid, rope, probe, merge);
        var patches = _finalLayer.Forward(tokens, temb);                            // (B, N, p_t·p_h·p_w·C)
        return scope.Keep(Unpatchify(patches, grid));                               // (B, C, T, H, W)
    }

    /// <summary>The frame pairing for a merged pass (null when merging is off or there is one token frame).</summary>
    private FramePairs? FramePairsFor(SpacetimeGrid grid, TokenMerging? merging, AttentionProbe? probe, Tensor x)
    {
        if (merging is null || grid.T < 2) return null;
        if (!_blocks[0].Attention.SupportsTokenMerging)
            throw new ArgumentException($"token merging is not available with the {Config.Attention} layout (merged frame pairs would cross its walls); use Joint, Factorized, Alternating or Windowed", "cond");
        if (probe is not null) throw new ArgumentException("attention maps are read on the full token grid: run ForwardWithAttention without token merging", "cond");
        return new FramePairs(grid, merging, _rope, x.DType, x.Device);
    }

    /// <summary>(B, N, p_t·p_h·p_w·C) → (B, C, T'·p_t, H'·p_h, W'·p_w).</summary>
    public Tensor Unpatchify(Tensor patches, SpacetimeGrid grid)
    {
        var (pt, ph, pw) = Config.Patch;
        long b = patches.Size(0), ch = Config.InChannels;
        return patches.Reshape(b, grid.T, grid.H, grid.W, pt, ph, pw, ch)
            .Permute(0, 7, 1, 4, 2, 5, 3, 6)                                        // (B, C, T', p_t, H', p_h, W', p_w)
            .Reshape(b, ch, grid.T * pt, grid.H * ph, grid.W * pw);
    }

    private static Tensor Timesteps(Tensor t, long b)
    {
        if (t.Rank == 0 || (t.Rank == 1 && t.Size(0) == 1)) return t.Reshape(1).Expand(b).To(DType.Float32);
        if (t.Rank != 1 || t.Size(0) != b) throw new ArgumentException($"timesteps must be (B) = ({b}) or one value, got {Tensor.FormatShape(t.Shape)}", nameof(t));
        return t.To(DType.Float32);
    }

    /// <summary>A conditioning tensor with batch <paramref name="b"/>: as is, broadcast from 1, or repeated when its batch divides b.</summary>
    private static Tensor Batched(Tensor c, long b, string name)
    {
        long cb = c.Size(0);
        if (cb == b) return c.Alias();
        if (cb == 1) return c.Expand([b, .. Enumerable.Repeat(-1L, c.Rank - 1)]);
        if (cb > 0 && b % cb == 0) return c.Repeat([b / cb, .. Enumerable.Repeat(1L, c.Rank - 1)]);
        throw new ArgumentException($"conditioning {name} has batch {cb}, which does not fit the input's batch {b}", name);
    }

    private Tensor FrameInput(Tensor x, DiTConditioning cond)
    {
        if (!Config.FrameConditioning)
        {
            if (cond.FrameLatent is not null || cond.FrameMask is not null)
                throw new ArgumentException("this model was not built with FrameConditioning, but reference frames were given", nameof(cond));
            return x.Alias();
        }
        if ((cond.FrameLatent is null) != (cond.FrameMask is null))
            throw new ArgumentException("frame conditioning needs both FrameLatent and FrameMask (or neither)", nameof(cond));
        long b = x.Size(0);
        var shape = x.Shape;
        shape[1] = 1;
        if (cond.FrameLatent is null) return Tensor.Cat([x, Tensor.ZerosLike(x), Tensor.Zeros(shape, x.DType, x.Device)], 1);
        var latent = Batched(cond.FrameLatent, b, nameof(cond.FrameLatent));
        if (!latent.Shape.AsSpan().SequenceEqual(x.Shape))
            throw new ArgumentException($"the reference latent has shape {Tensor.FormatShape(latent.Shape)}, the input {Tensor.FormatShape(x.Shape)}", nameof(cond));
        if (cond.FrameMask!.Rank != 5 || cond.FrameMask.Size(1) != 1)
            throw new ArgumentException($"the frame mask is (B or 1, 1, T, H or 1, W or 1), got {Tensor.FormatShape(cond.FrameMask.Shape)}", nameof(cond));
        var full = Batched(cond.FrameMask.To(x.DType), b, nameof(cond.FrameMask)).Expand(shape); // (B, 1, T, H, W)
        return Tensor.Cat([x, latent.To(x.DType) * full, full], 1);                  // (B, 2C + 1, T, H, W)
    }

    /// <summary>Text embeddings (B, L, D_text) of token ids (B, L).</summary>
    public Tensor EncodeText(Tensor tokens) =>
        (_textEncoder ?? throw new InvalidOperationException("this model has no text conditioning (Text = None)")).Forward(tokens);

    /// <summary>The learned null text (1, L, D_text) that replaces a dropped caption (classifier-free guidance).</summary>
    public Tensor NullTextEmbedding(long length)
    {
        if (_nullText is null) throw new InvalidOperationException("this model has no text conditioning (Text = None)");
        if (length < 1 || length > Config.MaxTextLength) throw new ArgumentOutOfRangeException(nameof(length), $"text length must be in [1, {Config.MaxTextLength}], got {length}");
        return _nullText.Value.Narrow(0, 0, length).Unsqueeze(0);
    }

    /// <summary>A (B) bool mask with each entry true with probability <see cref="DiTConfig.TextDropout"/>, for <see cref="DiTConditioning.DropText"/>.</summary>
    public Tensor SampleTextDrop(long batch, Generator? generator = null, Device? device = null)
    {
        using var scope = DisposeScope.Enter();
        return scope.Keep(Tensor.Rand([batch], DType.Float32, device, generator).Lt(Config.TextDropout));
    }

    private Tensor? TextStream(DiTConditioning cond, long b)
    {
        if (Config.Text == TextConditioning.None)
        {
            if (cond.Text is not null || cond.TextEmbedding is not null || cond.DropText is not null)
                throw new ArgumentException("this model has no text conditioning (Text = None), but text was given", nameof(cond));
            return null;
        }
        if (cond.Text is not null && cond.TextEmbedding is not null)
            throw new ArgumentException("give either Text (token ids) or TextEmbedding, not both", nameof(cond));
        Tensor y;
        if (cond.TextEmbedding is { } e)
        {
            if (e.Rank != 3 || e.Size(2) != Config.TextHidden || e.Size(1) > Config.MaxTextLength)
                throw new ArgumentException($"text embeddings are (B, L ≤ {Config.MaxTextLength}, {Config.TextHidden}), got {Tensor.FormatShape(e.Shape)}", nameof(cond));
            y = Batched(e, b, nameof(cond.TextEmbedding));
        }
        else if (cond.Text is { } tokens) y = _textEncoder!.Forward(Batched(tokens, b, nameof(cond.Text)));
        else y = NullTextEmbedding(Config.MaxTextLength).Expand(b, -1, -1);
        if (cond.DropText is { } drop)
        {
            if (drop.Rank != 1 || drop.Size(0) != b) throw new ArgumentException($"DropText is a (B) = ({b}) mask, got {Tensor.FormatShape(drop.Shape)}", nameof(cond));
            y = Tensor.Where(drop.To(DType.Bool).Reshape(b, 1, 1), NullTextEmbedding(y.Size(1)), y);
        }
        return y;                                                                   // (B, L, D_text)
    }

    /// <summary>The model as a sampler sees it, for a fixed conditioning (batch 1 or the sample batch).</summary>
    public DiffusionModel AsDiffusionModel(DiTConditioning? cond = null) => (x, t) => Forward(x, t, cond);

    /// <summary>
    /// The model with text embeddings (B, L, D_text) as the condition, for <see cref="ClassifierFreeGuidance.Wrap"/>:
    /// condition <c>EncodeText(tokens)</c>, unconditional <c>NullTextEmbedding(L)</c>. Other conditioning comes from <paramref name="cond"/>.
    /// </summary>
    public ConditionalModel AsConditionalModel(DiTConditioning? cond = null) =>
        (x, t, text) => Forward(x, t, (cond ?? new DiTConditioning()) with { Text = null, TextEmbedding = text });

    public override string Describe() =>
        $"SpacetimeDiT(hidden {Config.Hidden}, depth {Config.Depth}, {Config.Heads} heads, patch {Config.Patch}, {Config.Attention}, {Config.Positions}, {Config.Modulation}, text {Config.Text})";
}
