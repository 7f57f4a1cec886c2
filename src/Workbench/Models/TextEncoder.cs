using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Models;

/// <summary>A pre-norm transformer layer of the text encoder: x + attn(norm1(x)), then x + mlp(norm2(x)).</summary>
public sealed class TextEncoderBlock : Module
{
    private readonly LayerNorm _norm1, _norm2;
    private readonly MultiheadAttention _attn;
    private readonly Mlp _mlp;

    public TextEncoderBlock(int width, int heads, int mlpHidden)
    {
        _norm1 = RegisterModule("norm1", new LayerNorm(width, 1e-5));
        _attn = RegisterModule("attn", new MultiheadAttention(width, heads));
        _norm2 = RegisterModule("norm2", new LayerNorm(width, 1e-5));
        _mlp = RegisterModule("mlp", new Mlp(width, mlpHidden));
    }

    /// <param name="keyMask">(B, 1, 1, L) bool: true for tokens that may be read (not padding).</param>
    public Tensor Forward(Tensor x, Tensor keyMask)
    {
        using var scope = DisposeScope.Enter();
        x = x + _attn.Forward(_norm1.Forward(x), keyMask);                           // (B, L, Dt)
        x = x + _mlp.Forward(_norm2.Forward(x));
        return scope.Keep(x);
    }
}

/// <summary>
/// A small transformer text encoder trained with the DiT (in place of a frozen T5/CLIP, which the synthetic
/// captions do not need): token + learned position embeddings, pre-norm layers whose attention skips padding
/// keys, a final LayerNorm. Tokens (B, L) from <see cref="CaptionTokenizer"/> → embeddings (B, L, width).
/// </summary>
public sealed class TextEncoder : Module
{
    private readonly Embedding _tokens;
    private readonly Parameter _positions;
    private readonly ModuleList<TextEncoderBlock> _blocks;
    private readonly LayerNorm _finalNorm;

    public int VocabSize { get; }
    public int Width { get; }
    public int MaxLength { get; }

    public TextEncoder(int vocabSize, int width, int depth, int heads, int maxLength, double mlpRatio = 4)
    {
        if (vocabSize <= CaptionTokenizer.Reserved.Count) throw new ArgumentException($"vocabulary size {vocabSize} leaves no room for words after the {CaptionTokenizer.Reserved.Count} reserved tokens", nameof(vocabSize));
        (VocabSize, Width, MaxLength) = (vocabSize, width, maxLength);
        _tokens = RegisterModule("token_embedding", new Embedding(vocabSize, width, std: 0.02));
        _positions = RegisterParameter("positional_embedding", Init.Normal([maxLength, width], 0.01));
        _blocks = RegisterModule("blocks", new ModuleList<TextEncoderBlock>(
            Enumerable.Range(0, depth).Select(_ => new TextEncoderBlock(width, heads, (int)(width * mlpRatio)))));
        _finalNorm = RegisterModule("final_norm", new LayerNorm(width, 1e-5));
    }

    /// <summary>Embeddings (B, L, width) of token ids (B, L), L ≤ MaxLength.</summary>
    public Tensor Forward(Tensor tokens)
    {
        if (tokens.Rank != 2 || tokens.DType is not (DType.Int64 or DType.Int32))
            throw new ArgumentException($"the text encoder takes token ids (B, L) of int64, got {tokens.DType.Name()} of shape {Tensor.FormatShape(tokens.Shape)}", nameof(tokens));
        long l = tokens.Size(1);
        if (l > MaxLength) throw new ArgumentException($"{l} text tokens exceed the encoder's {MaxLength} positions", nameof(tokens));
        using var scope = DisposeScope.Enter();
        long max = tokens.NumEl > 0 ? tokens.Max().Item<long>() : 0, min = tokens.NumEl > 0 ? tokens.Min().Item<long>() : 0;
        if (min < 0 || max >= VocabSize) throw new ArgumentException($"token ids must lie in [0, {VocabSize}), got [{min}, {max}]; build the config's VocabSize from the tokenizer", nameof(tokens));
        // Padding is never read, except that position 0 always is (a row of only padding must still attend somewhere).
        var first = Tensor.Arange(l, device: tokens.Device).Eq(0).Unsqueeze(0);      // (1, L)
        var keyMask = (tokens.Ne(CaptionTokenizer.PadId) | first).Reshape(tokens.Size(0), 1, 1, l); // (B, 1, 1, L)
        var x = _tokens.Forward(tokens) + _positions.Value.Narrow(0, 0, l);          // (B, L, Dt)
        foreach (var block in _blocks) x = block.Forward(x, keyMask);
        return scope.Keep(_finalNorm.Forward(x));                                    // (B, L, Dt)
    }

    public override string Describe() => $"TextEncoder(vocab {VocabSize}, width {Width}, {_blocks.Count} layers, {MaxLength} positions)";
}
