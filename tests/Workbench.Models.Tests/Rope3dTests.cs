namespace Workbench.Models.Tests;

public class Rope3dTests
{
    [Theory]
    [InlineData(64, 16, 24, 24)]
    [InlineData(32, 8, 12, 12)]
    [InlineData(48, 12, 18, 18)]
    [InlineData(40, 10, 14, 16)]
    public void TheHeadDimSplitsIntoEvenTimeHeightAndWidthParts(int dim, int t, int h, int w) =>
        Assert.Equal((t, h, w), Rope3d.SplitDims(dim));

    [Fact]
    public void AnglesAreThePositionTimesThePublishedFrequencies()
    {
        var rope = new Rope3d(32, theta: 10000);                                    // parts 8, 12, 12: 4, 6, 6 frequencies
        var grid = new SpacetimeGrid(3, 4, 5) { Step = (0.5, 1, 1), Offset = (1, 0, 2) };
        using var scope = DisposeScope.Enter();
        var angles = rope.Angles(grid);                                             // (N, 16)
        long i = grid.Index(2, 3, 4);                                               // position t = 1 + 0.5·2, h = 3, w = 2 + 4
        var row = angles[i].ToArray<double>();
        Assert.Equal(2 * Math.Pow(10000, -2.0 * 1 / 8), row[1], 12);              // time pair 1
        Assert.Equal(3 * Math.Pow(10000, -2.0 * 2 / 12), row[4 + 2], 12);         // height pair 2
        Assert.Equal(6 * Math.Pow(10000, -2.0 * 5 / 12), row[10 + 5], 12);        // width pair 5
    }

    [Fact]
    public void RotationKeepsTheNormOfEveryHeadVector()
    {
        var grid = new SpacetimeGrid(3, 2, 4);
        using var scope = DisposeScope.Enter();
        var tables = new Rope3d(16).Tables(grid, DType.Float64);
        var x = Tensor.Randn([2, 3, grid.Tokens, 16], DType.Float64);
        var rotated = Rope3d.Apply(x, tables);
        Assert.True(rotated.Norm(2, -1).AllClose(x.Norm(2, -1), 1e-12, 1e-12));
        Assert.True(DiTTestKit.MaxAbsDiff(rotated[.., .., 1..], x[.., .., 1..]) > 0.1);  // it does rotate (token 0 sits at the origin)
        Assert.True(rotated[.., .., 0].AllClose(x[.., .., 0], 0, 1e-12));
    }

    [Fact]
    public void QueryKeyProductsDependOnlyOnTheRelativePosition()
    {
        // One query vector and one key vector placed at many positions; shift both by the same (continuous) amount.
        var rope = new Rope3d(16);
        var a = new SpacetimeGrid(3, 3, 3);
        var shifted = a with { Offset = (2.5, -7, 13.25) };
        using var scope = DisposeScope.Enter();
        var q = Tensor.Randn([1, 1, 1, 16], DType.Float64).Expand(1, 1, a.Tokens, 16);
        var k = Tensor.Randn([1, 1, 1, 16], DType.Float64).Expand(1, 1, a.Tokens, 16);
        Tensor Scores(SpacetimeGrid g)
        {
            var t = rope.Tables(g, DType.Float64);
            return Rope3d.Apply(q, t).MatMul(Rope3d.Apply(k, t).Transpose(-1, -2)); // (1, 1, N, N)
        }
        var s = Scores(a);
        Assert.True(s.AllClose(Scores(shifted), 1e-10, 1e-10));
        // But the relative position matters: token pairs (0 → 1) and (0 → 2) score differently, and stretching time changes scores.
        Assert.NotEqual(s[0, 0, 0, 1].Item<double>(), s[0, 0, 0, 2].Item<double>(), 6);
        Assert.False(s.AllClose(Scores(a with { Step = (2, 1, 1) }), 1e-6, 1e-6));
        // Along time only, pair (t, t + 1) scores the same for every t.
        Assert.Equal(s[0, 0, a.Index(0, 1, 1), a.Index(1, 1, 1)].Item<double>(), s[0, 0, a.Index(1, 1, 1), a.Index(2, 1, 1)].Item<double>(), 10);
    }

    [Fact]
    public void SinCosEmbeddingFollowsDiTsFormulaPerAxis()
    {
        var grid = new SpacetimeGrid(2, 3, 4);
        using var scope = DisposeScope.Enter();
        var e = Rope3d.SinCosEmbedding(32, grid, DType.Float64);                     // parts 8, 12, 12
        Assert.Equal(new long[] { grid.Tokens, 32 }, e.Shape);
        var row = e[grid.Index(1, 2, 3)].ToArray<double>();
        Assert.Equal(Math.Sin(1 * Math.Pow(10000, -1.0 / 4)), row[1], 12);        // time: sin part, ω_1 = 1/10000^(1/4)
        Assert.Equal(Math.Cos(1 * Math.Pow(10000, -1.0 / 4)), row[4 + 1], 12);    // time: cos part
        Assert.Equal(Math.Sin(2 * Math.Pow(10000, -2.0 / 6)), row[8 + 2], 12);    // height
        Assert.Equal(Math.Cos(3 * Math.Pow(10000, -5.0 / 6)), row[20 + 6 + 5], 12); // width
    }
}
