namespace Workbench.Extensions;

/// <summary>
/// The attention weights of one query token over all video tokens of a T × H × W token grid, in one stage of a
/// block ("joint", "spatial", "temporal", ...). <see cref="Weights"/> is row-major (T, H, W); zero where the layout
/// forbids. <see cref="TextWeight"/> is the total weight on text tokens in joint-text mode.
/// </summary>
public sealed record QueryAttention((int T, int H, int W) Query, string Stage, float[] Weights)
{
    public double? TextWeight { get; init; }
}

/// <summary>
/// A set of precomputed attention maps on one token grid (plain data: what <see cref="AttentionMapView"/> renders and
/// switches between in the browser). <see cref="AttentionMaps.Compute"/> makes one from a real model.
/// </summary>
public sealed record AttentionMapSet((int T, int H, int W) Grid, IReadOnlyList<QueryAttention> Maps)
{
    /// <summary>What the maps are, e.g. "Factorized attention · block 1 · head 0".</summary>
    public string Title { get; init; } = "";

    public IReadOnlyList<string> Stages => Maps.Select(m => m.Stage).Distinct().ToList();

    public QueryAttention? Find((int T, int H, int W) query, string? stage = null) =>
        Maps.FirstOrDefault(m => m.Query == query && (stage is null || m.Stage == stage));

    /// <summary>Throws when the grid is empty, a query lies outside it or a weight array has the wrong length.</summary>
    public void Validate()
    {
        var (t, h, w) = Grid;
        if (t <= 0 || h <= 0 || w <= 0) throw new ArgumentException($"the token grid must be non-empty, got {t}×{h}×{w}");
        if (Maps.Count == 0) throw new ArgumentException("an attention map set needs at least one map");
        foreach (var m in Maps)
        {
            if (m.Query.T < 0 || m.Query.T >= t || m.Query.H < 0 || m.Query.H >= h || m.Query.W < 0 || m.Query.W >= w)
                throw new ArgumentException($"query {m.Query} is outside the {t}×{h}×{w} token grid");
            if (m.Weights.Length != t * h * w)
                throw new ArgumentException($"the map of query {m.Query} ({m.Stage}) has {m.Weights.Length} weights, the {t}×{h}×{w} grid needs {t * h * w}");
        }
    }
}
