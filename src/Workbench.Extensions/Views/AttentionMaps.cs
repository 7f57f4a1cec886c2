using Workbench.Models;
using Workbench.Models.Attention;
using Workbench.Torch;

namespace Workbench.Extensions;

/// <summary>
/// Computes attention maps from a real model for <see cref="AttentionMapView"/>: one
/// <see cref="SpacetimeDiT.ForwardWithAttention"/> per query token (the library's probe records one query per pass),
/// so keep the grid small or pass the queries to show.
/// </summary>
public static class AttentionMaps
{
    /// <summary>Above this many queries, pass <c>queries</c> explicitly (each costs a forward pass).</summary>
    public const int MaxDefaultQueries = 512;

    /// <param name="model">The DiT.</param>
    /// <param name="x">Noisy latent (B, C, T, H, W); batch item <paramref name="batch"/> is shown.</param>
    /// <param name="t">Model time (B) or (1).</param>
    /// <param name="block">Which block's attention.</param>
    /// <param name="head">Which head.</param>
    /// <param name="queries">Query tokens (t, h, w) on the token grid; every token when null.</param>
    /// <param name="cond">Conditioning (caption, reference frames), as for <see cref="SpacetimeDiT.Forward"/>.</param>
    public static AttentionMapSet Compute(SpacetimeDiT model, Tensor x, Tensor t, int block = 0, int head = 0,
        IEnumerable<(int T, int H, int W)>? queries = null, DiTConditioning? cond = null, int batch = 0)
    {
        if (x.Rank != 5) throw new ArgumentException($"x is (B, C, T, H, W), got {Tensor.FormatShape(x.Shape)}", nameof(x));
        if (batch < 0 || batch >= x.Size(0)) throw new ArgumentOutOfRangeException(nameof(batch), $"batch item {batch} is out of range for batch {x.Size(0)}");
        var grid = model.Config.Grid(x.Size(2), x.Size(3), x.Size(4));
        var size = ((int)grid.T, (int)grid.H, (int)grid.W);
        var list = (queries ?? AllTokens(size)).ToList();
        if (queries is null && list.Count > MaxDefaultQueries)
            throw new ArgumentException($"the {size.Item1}×{size.Item2}×{size.Item3} token grid has {list.Count} tokens, each a forward pass; pass the queries to show", nameof(queries));
        var maps = new List<QueryAttention>();
        using var noGrad = new NoGrad();
        foreach (var q in list)
        {
            using var scope = DisposeScope.Enter();
            var probe = new AttentionProbe(block, head, (q.T, q.H, q.W));
            var (_, found) = model.ForwardWithAttention(x, t, probe, cond);
            foreach (var map in found)
            {
                try
                {
                    var video = map.Video.Select(0, batch);                                  // (T, H, W)
                    var weights = TensorImages.Read(video).Values;
                    double? text = map.Text is { } tw ? tw.Select(0, batch).Sum().Item<double>() : null;
                    maps.Add(new QueryAttention(q, map.Stage, weights) { TextWeight = text });
                }
                finally { map.Dispose(); }
            }
        }
        return new AttentionMapSet(size, maps) { Title = $"{model.Config.Attention} attention · block {block} · head {head}" };
    }

    /// <summary>Every token of a grid, in (t, h, w) order.</summary>
    public static IEnumerable<(int T, int H, int W)> AllTokens((int T, int H, int W) grid)
    {
        for (int t = 0; t < grid.T; t++)
            for (int h = 0; h < grid.H; h++)
                for (int w = 0; w < grid.W; w++)
                    yield return (t, h, w);
    }
}
