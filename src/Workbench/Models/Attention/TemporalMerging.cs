using Workbench.Torch;

namespace Workbench.Models.Attention;

/// <summary>
/// Temporal token merging for one forward pass (On-device Sora, Kim et al. 2025, "Temporal Dimension Token
/// Merging"): before each block's self-attention the tokens of consecutive frames are averaged in pairs, which
/// halves the frames the attention sees; after it the output is repeated back onto both frames. The MLP and the
/// residual stream keep the full grid, and the weights are untouched, so it is a setting of a call
/// (<see cref="DiTConditioning.TokenMerging"/>), usually for the early, noisy steps of a sampling run only.
/// </summary>
public sealed record TokenMerging
{
    /// <summary>Also give the cross-attention merged queries (the paper's code merges them too).</summary>
    public bool CrossAttention { get; init; } = true;
}

/// <summary>
/// How the frames of one token grid are paired for <see cref="TokenMerging"/>: with an odd frame count frame 0 stays
/// alone (the causal VAE's first latent frame, which encodes a single video frame) and the rest pair up as (1, 2),
/// (3, 4), …; with an even count the pairs are (0, 1), (2, 3), …. So T frames become ⌈T/2⌉. A merged token sits
/// at the mean position of its pair (time t + ½ step), which keeps the spacing RoPE saw in training; its RoPE
/// tables are <see cref="Rope"/>. <see cref="Unmerge"/> copies each merged token back to both frames, so outputs
/// return to the full grid.
/// </summary>
public sealed class FramePairs
{
    public SpacetimeGrid Grid { get; }
    /// <summary>The grid of merged tokens, ⌈T/2⌉ × H × W (its positions are not uniform: use <see cref="Rope"/>).</summary>
    public SpacetimeGrid Merged { get; }
    /// <summary>Frames kept alone at the start: 1 when T is odd, else 0.</summary>
    public long Single { get; }
    public long Pairs => (Grid.T - Single) / 2;
    /// <summary>RoPE tables of the merged tokens at their mean positions (null without RoPE).</summary>
    public RopeTables? Rope { get; }
    public TokenMerging Settings { get; }

    /// <summary>The pairing of <paramref name="grid"/>; RoPE tables (in the current dispose scope) when <paramref name="rope"/> is given.</summary>
    public FramePairs(SpacetimeGrid grid, TokenMerging settings, Rope3d? rope = null, DType dtype = DType.Float32, Device? device = null)
    {
        if (grid.T < 2) throw new ArgumentException($"token merging pairs frames, but the grid has {grid.T} frame(s)", nameof(grid));
        (Grid, Settings, Single) = (grid, settings, grid.T % 2);
        Merged = new SpacetimeGrid(MergedFrames(grid.T), grid.H, grid.W);
        if (rope is null) return;
        using var scope = DisposeScope.Enter();
        var positions = Merge(grid.Positions(device).Unsqueeze(0)).Squeeze(0);    // (N', 3): mean positions, float64
        var tables = rope.Tables(positions, dtype);
        Rope = new RopeTables(scope.Keep(tables.Cos), scope.Keep(tables.Sin));
    }

    /// <summary>Frames after merging: ⌈T/2⌉.</summary>
    public static long MergedFrames(long frames) => (frames + 1) / 2;

    /// <summary>(B, T·H·W, C) → (B, T'·H·W, C): each pair of frames replaced by its mean.</summary>
    public Tensor Merge(Tensor x)
    {
        CheckTokens(x, Grid, "Merge");
        using var scope = DisposeScope.Enter();
        long b = x.Size(0), s = Grid.FrameTokens, c = x.Size(2);
        var frames = x.Reshape(b, Grid.T, s, c);
        var pairs = frames.Narrow(1, Single, 2 * Pairs).Reshape(b, Pairs, 2, s, c);   // (B, pairs, 2, S, C)
        var merged = (pairs.Select(2, 0) + pairs.Select(2, 1)) * 0.5;                  // (B, pairs, S, C)
        if (Single == 1) merged = Tensor.Cat([frames.Narrow(1, 0, 1), merged], 1);
        return scope.Keep(merged.Reshape(b, Merged.Tokens, c));
    }

    /// <summary>(B, T'·H·W, C) → (B, T·H·W, C): each merged frame copied to both frames of its pair.</summary>
    public Tensor Unmerge(Tensor x)
    {
        CheckTokens(x, Merged, "Unmerge");
        using var scope = DisposeScope.Enter();
        long b = x.Size(0), s = Grid.FrameTokens, c = x.Size(2);
        var frames = x.Reshape(b, Merged.T, s, c);
        var pairs = frames.Narrow(1, Single, Pairs).Unsqueeze(2).Expand(b, Pairs, 2, s, c).Reshape(b, 2 * Pairs, s, c);
        if (Single == 1) pairs = Tensor.Cat([frames.Narrow(1, 0, 1), pairs], 1);
        return scope.Keep(pairs.Reshape(b, Grid.Tokens, c));
    }

    private static void CheckTokens(Tensor x, SpacetimeGrid grid, string operation)
    {
        if (x.Rank != 3 || x.Size(1) != grid.Tokens)
            throw new ArgumentException($"{operation} takes (B, {grid.Tokens}, C) tokens of the {grid} grid, got {Tensor.FormatShape(x.Shape)}", nameof(x));
    }
}
