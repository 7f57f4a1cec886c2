using Workbench.Models.Attention;

namespace Workbench.Models.Tests;

/// <summary>Small configs and helpers shared by the DiT tests (tiny sizes: the tests run on 2 CPU cores).</summary>
internal static class DiTTestKit
{
    /// <summary>Hidden 32, 2 heads (head dim 16: RoPE parts 4, 6, 6), depth 2, a text stream of 16.</summary>
    public static DiTConfig Small(AttentionLayout layout = AttentionLayout.Joint, TextConditioning text = TextConditioning.None) => DiTConfig.Tiny with
    {
        Hidden = 32, Depth = 2, Heads = 2, Attention = layout, Text = text,
        TextHidden = 16, TextHeads = 2, TextDepth = 1, VocabSize = 20, MaxTextLength = 6, Window = (2, 2, 2),
    };

    public static SpacetimeDiT Model(DiTConfig config, ulong seed = 0)
    {
        Workbench.Torch.Torch.ManualSeed(seed);
        return new SpacetimeDiT(config);
    }

    /// <summary>
    /// Overwrites every parameter with N(0, 0.2) noise (norm weights near 1), so that zero-initialised layers no longer
    /// hide paths: at DiT's initialisation the output is exactly zero and most gradients vanish.
    /// </summary>
    public static void Randomize(Module model, ulong seed = 1)
    {
        using var generator = new Generator(seed);
        using var noGrad = new NoGrad();
        foreach (var (name, p) in model.NamedParameters())
        {
            using var noise = Tensor.Randn(p.Shape, generator: generator) * 0.2;
            if (name.EndsWith("norm.weight") || name.EndsWith("norm1.weight") || name.EndsWith("norm2.weight"))
                noise.Add_(1.0);
            p.Value.Copy_(noise);
        }
    }

    /// <summary>Token ids (B, L) with bos first and random words, so no row is empty.</summary>
    public static Tensor Tokens(long batch, long length, int vocab, ulong seed = 3)
    {
        using var generator = new Generator(seed);
        using var scope = DisposeScope.Enter();
        var ids = Tensor.Randint(CaptionTokenizer.Reserved.Count, vocab, [batch, length], generator: generator);
        ids[.., 0] = Tensor.FromScalar((long)CaptionTokenizer.StartId);
        return scope.Keep(ids);
    }

    /// <summary>Same shape and bitwise-equal values.</summary>
    public static bool Same(Tensor a, Tensor b) => a.Shape.SequenceEqual(b.Shape) && a.AllClose(b, 0, 0);

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var scope = DisposeScope.Enter();
        return (a - b).Abs().Max().Item<double>();
    }
}
