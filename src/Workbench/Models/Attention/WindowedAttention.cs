using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Models.Attention;

/// <summary>
/// How one grid axis of <see cref="Size"/> tokens is cut into windows of <see cref="Window"/> tokens, the
/// boundaries moved by <see cref="Shift"/>: boundaries lie at Shift + k·Window, so a shifted axis starts with
/// a partial window of Shift tokens (what Swin's cyclic shift plus its mask computes, without the roll).
/// </summary>
public sealed record WindowAxis(long Size, long Window, long Shift)
{
    /// <summary>Window <paramref name="window"/> clamped to the axis, shifted by half a window when <paramref name="shifted"/> and the axis holds more than one window.</summary>
    public static WindowAxis For(long size, long window, bool shifted)
    {
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), $"window size must be positive, got {window}");
        long w = Math.Min(window, size);
        return new WindowAxis(size, w, shifted && w < size ? w / 2 : 0);
    }

    /// <summary>Padding before the first token so that windows start at multiples of Window.</summary>
    public long PadFront => (Window - Shift) % Window;
    public long Count => (Size + PadFront + Window - 1) / Window;
    public long PadBack => Count * Window - Size - PadFront;
    public long WindowOf(long coordinate) => (coordinate + PadFront) / Window;
    /// <summary>Real (unpadded) tokens in each window.</summary>
    public long[] RealCounts() => Enumerable.Range(0, (int)Count).Select(i => Math.Min(Size, (i + 1) * Window - PadFront) - Math.Max(0, i * Window - PadFront)).ToArray();
}

/// <summary>
/// Attention inside local 3D windows of (t, h, w) tokens (Video Swin), the windows shifted by half their size
/// on odd blocks so information crosses window borders from block to block. Cost ≈ N·window volume instead of
/// N². Windows are clamped to the grid; a grid that does not divide into windows is zero-padded and the padding
/// masked out as keys, so any T, H, W works.
/// </summary>
public sealed class WindowedAttention : SpacetimeAttention
{
    private readonly MultiheadAttention _attn;

    public WindowedAttention(int blockIndex, int dim, int heads, bool qkNorm, (int T, int H, int W) window, bool shifted) : base(blockIndex)
    {
        if (window.T < 1 || window.H < 1 || window.W < 1) throw new ArgumentException($"window sizes must be positive, got {window}", nameof(window));
        (Window, Shifted) = (window, shifted);
        _attn = new MultiheadAttention(dim, heads, qkNorm);
    }

    public (int T, int H, int W) Window { get; }
    public bool Shifted { get; }
    public override AttentionLayout Layout => AttentionLayout.Windowed;
    public override IReadOnlyList<string> Stages => ["window"];
    public override IReadOnlyList<(string Name, MultiheadAttention Attention)> Modules => [("attn", _attn)];
    public MultiheadAttention Attn => _attn;

    /// <summary>The window geometry of each axis for <paramref name="grid"/>.</summary>
    public (WindowAxis T, WindowAxis H, WindowAxis W) Axes(SpacetimeGrid grid) =>
        (WindowAxis.For(grid.T, Window.T, Shifted), WindowAxis.For(grid.H, Window.H, Shifted), WindowAxis.For(grid.W, Window.W, Shifted));

    protected override (Tensor Video, Tensor? Text) Attend(Tensor x, SpacetimeGrid grid, RopeTables? rope, JointText? text, AttentionProbe? probe)
    {
        using var scope = DisposeScope.Enter();
        var (at, ah, aw) = Axes(grid);
        var (q, k, v) = Project(_attn, x, rope);                                     // (B, heads, N, hd)
        Record(probe, "window", grid, q, k, i => Allowed(grid, i, (a, b) =>
            at.WindowOf(a.T) == at.WindowOf(b.T) && ah.WindowOf(a.H) == ah.WindowOf(b.H) && aw.WindowOf(a.W) == aw.WindowOf(b.W)), text);

        bool padded = at.PadFront + at.PadBack + ah.PadFront + ah.PadBack + aw.PadFront + aw.PadBack > 0;
        Tensor? mask = null;
        if (padded)
        {
            // Key mask (B·G, 1, 1, n): padding tokens are never read. Every window holds a real token, so no row is empty.
            var real = Tensor.Ones([1, 1, grid.T, grid.H, grid.W, 1], DType.Float32, x.Device);
            var keep = ToWindows(real, at, ah, aw).Gt(0.5);                        // (G, 1, n, 1)
            long groups = keep.Size(0), n = keep.Size(2);
            mask = keep.Reshape(1, groups, 1, 1, n).Expand(x.Size(0), groups, 1, 1, n).Reshape(x.Size(0) * groups, 1, 1, n);
        }
        var attended = AttendGroups(ToWindows(q, at, ah, aw), ToWindows(k, at, ah, aw), ToWindows(v, at, ah, aw), text, mask); // (B·G, heads, n, hd)
        var textOut = AttendText(text, k, v, TextReadsVideo);
        return (scope.Keep(_attn.Output(FromWindows(attended, grid, at, ah, aw))), textOut is null ? null : scope.Keep(textOut)); // (B, N, D)
    }

    /// <summary>(B, heads, N, hd) → (B·G, heads, n, hd) with G windows of n = w_t·w_h·w_w tokens (zero-padded).</summary>
    private static Tensor ToWindows(Tensor x, WindowAxis at, WindowAxis ah, WindowAxis aw)
    {
        long b = x.Size(0), heads = x.Size(1), hd = x.Size(-1);
        var grid = x.Reshape(b, heads, at.Size, ah.Size, aw.Size, hd)
            .Pad([0, 0, aw.PadFront, aw.PadBack, ah.PadFront, ah.PadBack, at.PadFront, at.PadBack]); // (B, heads, Tp, Hp, Wp, hd)
        return grid.Reshape(b, heads, at.Count, at.Window, ah.Count, ah.Window, aw.Count, aw.Window, hd)
            .Permute(0, 2, 4, 6, 1, 3, 5, 7, 8)                                     // (B, nT, nH, nW, heads, wt, wh, ww, hd)
            .Reshape(b * at.Count * ah.Count * aw.Count, heads, at.Window * ah.Window * aw.Window, hd);
    }

    private static Tensor FromWindows(Tensor x, SpacetimeGrid grid, WindowAxis at, WindowAxis ah, WindowAxis aw)
    {
        long heads = x.Size(1), hd = x.Size(-1), b = x.Size(0) / (at.Count * ah.Count * aw.Count);
        var padded = x.Reshape(b, at.Count, ah.Count, aw.Count, heads, at.Window, ah.Window, aw.Window, hd)
            .Permute(0, 4, 1, 5, 2, 6, 3, 7, 8)                                     // (B, heads, nT, wt, nH, wh, nW, ww, hd)
            .Reshape(b, heads, at.Count * at.Window, ah.Count * ah.Window, aw.Count * aw.Window, hd);
        return padded.Narrow(2, at.PadFront, grid.T).Narrow(3, ah.PadFront, grid.H).Narrow(4, aw.PadFront, grid.W)
            .Reshape(b, heads, grid.Tokens, hd);
    }
}
