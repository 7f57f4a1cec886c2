using Workbench.Models.Attention;

namespace Workbench.Extensions.Tests;

/// <summary>
/// Maps from a real (tiny) DiT through ForwardWithAttention: each layout's maps have the support the layout allows
/// (a closed-form check of which tokens a query may read), and the weights of a query sum to one.
/// </summary>
public sealed class AttentionMapsTests
{
    private static readonly (int T, int H, int W) Grid = (3, 2, 3);

    [Fact]
    public void JointAttentionReadsEveryTokenAndSumsToOne()
    {
        var set = Samples.ModelAttention(AttentionLayout.Joint);
        Assert.Equal(Grid, set.Grid);
        Assert.Equal(18, set.Maps.Count);                                // every query of the 3 × 2 × 3 grid
        Assert.Equal(["joint"], set.Stages);
        foreach (var m in set.Maps)
        {
            Assert.Equal(1.0, m.Weights.Sum(w => (double)w), 4);
            Assert.All(m.Weights, w => Assert.True(w > 0));
            Assert.Null(m.TextWeight);
        }
        Assert.Contains("Joint attention · block 1 · head 0", set.Title);
    }

    [Fact]
    public void FactorizedAttentionStaysOnTheSpatialAndTemporalLines()
    {
        var q = (T: 1, H: 1, W: 2);
        var set = Samples.ModelAttention(AttentionLayout.Factorized, [q]);
        Assert.Equal(["spatial", "temporal"], set.Stages);
        var spatial = set.Find(q, "spatial")!;
        var temporal = set.Find(q, "temporal")!;
        foreach (var (t, h, w) in AttentionMaps.AllTokens(Grid))
        {
            int i = (t * Grid.H + h) * Grid.W + w;
            Assert.Equal(t == q.T, spatial.Weights[i] > 0);
            Assert.Equal(h == q.H && w == q.W, temporal.Weights[i] > 0);
        }
        Assert.Equal(1.0, spatial.Weights.Sum(w => (double)w), 4);
        Assert.Equal(1.0, temporal.Weights.Sum(w => (double)w), 4);
    }

    [Fact]
    public void CausalAttentionNeverReadsTheFuture()
    {
        var set = Samples.ModelAttention(AttentionLayout.CausalTemporal, [(0, 0, 0), (1, 1, 1)]);
        foreach (var m in set.Maps)
            foreach (var (t, h, w) in AttentionMaps.AllTokens(Grid))
                Assert.Equal(t <= m.Query.T, m.Weights[(t * Grid.H + h) * Grid.W + w] > 0);
    }

    [Fact]
    public void TheViewOfRealMapsEmbedsEveryQuery()
    {
        var set = Samples.ModelAttention(AttentionLayout.Joint);
        var view = new AttentionMapView(set);
        Assert.Equal((1, 1, 1), view.Query);                             // the middle token
        var html = view.ToHtml(HtmlOptions.Referenced);
        foreach (var m in set.Maps) Assert.Contains($"\"{m.Query.T},{m.Query.H},{m.Query.W}|joint\":{{w:[", html);
    }

    [Fact]
    public void BadSetsAreRejectedWithTheReason()
    {
        var wrongLength = new AttentionMapSet((1, 2, 2), [new QueryAttention((0, 0, 0), "joint", [1, 0, 0])]);
        Assert.Contains("has 3 weights, the 1×2×2 grid needs 4", Assert.Throws<ArgumentException>(() => new AttentionMapView(wrongLength)).Message);
        var outside = new AttentionMapSet((1, 2, 2), [new QueryAttention((0, 2, 0), "joint", new float[4])]);
        Assert.Contains("outside the 1×2×2 token grid", Assert.Throws<ArgumentException>(() => new AttentionMapView(outside)).Message);
        var set = Samples.SyntheticAttention((1, 2, 2));
        Assert.Contains("no map for query (0, 0, 0) in stage temporal", Assert.Throws<ArgumentException>(() => new AttentionMapView(set, (0, 0, 0), "temporal")).Message);
    }

    [Fact]
    public void TooManyDefaultQueriesAskForAList()
    {
        using var model = Samples.TinyDiT(AttentionLayout.Joint);
        using var scope = DisposeScope.Enter();
        var x = Tensor.Zeros([1, 4, 9, 16, 16]);                          // 9 × 8 × 8 = 576 tokens
        var e = Assert.Throws<ArgumentException>(() => AttentionMaps.Compute(model, x, Tensor.From([0.5f])));
        Assert.Contains("576 tokens", e.Message);
    }
}
