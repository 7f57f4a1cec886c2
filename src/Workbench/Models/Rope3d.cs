using Workbench.Torch;

namespace Workbench.Models;

/// <summary>
/// The token grid of a patchified clip: <see cref="T"/> × <see cref="H"/> × <see cref="W"/> tokens, flattened
/// in (t, h, w) order (token index = (t·H + h)·W + w). Positions are continuous: token (t, h, w) sits at
/// <c>Offset + Step ⊙ (t, h, w)</c>, so a model trained at one frame rate or size can be sampled at another
/// (Step.T = 0.5 for twice the frame rate) or continue a clip (Offset.T = frames already generated).
/// </summary>
public sealed record SpacetimeGrid(long T, long H, long W)
{
    public (double T, double H, double W) Step { get; init; } = (1, 1, 1);
    public (double T, double H, double W) Offset { get; init; } = (0, 0, 0);

    /// <summary>Number of tokens, T·H·W.</summary>
    public long Tokens => T * H * W;
    /// <summary>Tokens per frame, H·W.</summary>
    public long FrameTokens => H * W;

    /// <summary>The flat index of token (t, h, w); throws when outside the grid.</summary>
    public long Index(long t, long h, long w)
    {
        if (t < 0 || t >= T || h < 0 || h >= H || w < 0 || w >= W)
            throw new ArgumentOutOfRangeException(nameof(t), $"token ({t}, {h}, {w}) is outside the {T}×{H}×{W} token grid");
        return (t * H + h) * W + w;
    }

    public (long T, long H, long W) Coordinates(long index) => (index / (H * W), index / W % H, index % W);

    /// <summary>Continuous positions (N, 3) as float64: columns t, h, w.</summary>
    public Tensor Positions(Device? device = null)
    {
        var data = new double[Tokens * 3];
        for (long i = 0; i < Tokens; i++)
        {
            var (t, h, w) = Coordinates(i);
            data[3 * i] = Offset.T + Step.T * t;
            data[3 * i + 1] = Offset.H + Step.H * h;
            data[3 * i + 2] = Offset.W + Step.W * w;
        }
        return Tensor.From(data, [Tokens, 3], device);
    }

    public override string ToString() => $"{T}×{H}×{W} tokens";
}

/// <summary>cos and sin of the rotation angles, each (N, head_dim/2), for <see cref="Rope3d.Apply"/>.</summary>
public sealed record RopeTables(Tensor Cos, Tensor Sin) : IDisposable
{
    public void Dispose()
    {
        Cos.Dispose();
        Sin.Dispose();
    }
}

/// <summary>
/// 3D rotary position embedding (Su et al. 2021, RoFormer; split over axes as in CogVideoX / HunyuanVideo):
/// the head dim is cut into a time part and two space parts (<see cref="AxisDims"/>), and each part rotates
/// pairs of features by angle position_axis · θ^(−2i/d_axis). In the "rotate half" layout, feature i pairs
/// with feature i + head_dim/2; the first T/2 pairs rotate with t, the next H/2 with h, the last W/2 with w.
/// A rotation keeps norms, and q·k then depends only on the difference of the two positions.
/// </summary>
public sealed class Rope3d
{
    public int HeadDim { get; }
    public double Theta { get; }
    /// <summary>Features per axis (each even; they add up to <see cref="HeadDim"/>).</summary>
    public (int T, int H, int W) AxisDims { get; }

    public Rope3d(int headDim, double theta = 10000)
    {
        if (headDim < 8 || headDim % 2 != 0)
            throw new ArgumentException($"3D RoPE needs an even head dim of at least 8 (time, height and width each get an even share), got {headDim}", nameof(headDim));
        (HeadDim, Theta, AxisDims) = (headDim, theta, SplitDims(headDim));
    }

    /// <summary>
    /// Splits <paramref name="dim"/> features over (t, h, w): time gets dim/4 rounded down to an even number,
    /// height and width share the rest (64 → 16, 24, 24; 32 → 8, 12, 12). Each part is even.
    /// </summary>
    public static (int T, int H, int W) SplitDims(int dim)
    {
        if (dim < 8 || dim % 2 != 0) throw new ArgumentException($"cannot split {dim} features into three even, non-empty parts", nameof(dim));
        int t = 2 * (dim / 8);
        int rest = dim - t;
        int h = 2 * (rest / 4);
        return (t, h, rest - h);
    }

    /// <summary>The angle of every (token, pair): (N, head_dim/2), float64.</summary>
    public Tensor Angles(SpacetimeGrid grid, Device? device = null)
    {
        using var scope = DisposeScope.Enter();
        return scope.Keep(Angles(grid.Positions(device)));
    }

    /// <summary>The angles for any token positions (N, 3) (columns t, h, w, float64): (N, head_dim/2).</summary>
    public Tensor Angles(Tensor positions)
    {
        if (positions.Rank != 2 || positions.Size(1) != 3) throw new ArgumentException($"positions are (N, 3), got {Tensor.FormatShape(positions.Shape)}", nameof(positions));
        using var scope = DisposeScope.Enter();
        var device = positions.Device;
        var parts = new List<Tensor>();
        int axis = 0;
        foreach (int d in new[] { AxisDims.T, AxisDims.H, AxisDims.W })
        {
            var i = Tensor.Arange(0, d / 2, 1, DType.Float64, device);              // (d/2)
            var frequencies = Tensor.Pow(Theta, i * (-2.0 / d));                   // θ^(−2i/d)
            parts.Add(positions.Select(1, axis++).Unsqueeze(1) * frequencies.Unsqueeze(0)); // (N, d/2)
        }
        return scope.Keep(Tensor.Cat(parts, 1));                                    // (N, head_dim/2)
    }

    /// <summary>cos/sin tables for <paramref name="grid"/> in <paramref name="dtype"/> (computed in float64).</summary>
    public RopeTables Tables(SpacetimeGrid grid, DType dtype = DType.Float32, Device? device = null)
    {
        using var scope = DisposeScope.Enter();
        var tables = Tables(grid.Positions(device), dtype);
        return new RopeTables(scope.Keep(tables.Cos), scope.Keep(tables.Sin));
    }

    /// <summary>cos/sin tables for token positions (N, 3) (float64, on the tables' device) in <paramref name="dtype"/>.</summary>
    public RopeTables Tables(Tensor positions, DType dtype = DType.Float32)
    {
        using var scope = DisposeScope.Enter();
        var angles = Angles(positions);
        return new RopeTables(scope.Keep(angles.Cos().To(dtype)), scope.Keep(angles.Sin().To(dtype)));
    }

    /// <summary>Rotates <paramref name="x"/> (..., N, head_dim) by the tables' angles (rotate-half layout).</summary>
    public static Tensor Apply(Tensor x, RopeTables tables)
    {
        long half = tables.Cos.Size(-1);
        if (x.Size(-1) != 2 * half || x.Size(-2) != tables.Cos.Size(0))
            throw new ArgumentException($"RoPE tables for {tables.Cos.Size(0)} tokens × {2 * half} features do not fit tensor of shape {Tensor.FormatShape(x.Shape)}", nameof(x));
        using var scope = DisposeScope.Enter();
        var x1 = x.Narrow(-1, 0, half);
        var x2 = x.Narrow(-1, half, half);
        var rotated = Tensor.Cat([x1 * tables.Cos - x2 * tables.Sin, x1 * tables.Sin + x2 * tables.Cos], -1);
        return scope.Keep(rotated);
    }

    /// <summary>
    /// Fixed 3D sin-cos position embedding (N, <paramref name="dim"/>) for absolute positions (DiT's
    /// get_2d_sincos_pos_embed with a time axis): each axis part (<see cref="SplitDims"/>) holds
    /// [sin(p·ω), cos(p·ω)] with ω_i = 1/10000^(i/(d/2)). Computed for any grid, so it is not a state-dict entry.
    /// </summary>
    public static Tensor SinCosEmbedding(int dim, SpacetimeGrid grid, DType dtype = DType.Float32, Device? device = null)
    {
        using var scope = DisposeScope.Enter();
        var positions = grid.Positions(device);                                     // (N, 3)
        var (dt, dh, dw) = SplitDims(dim);
        var parts = new List<Tensor>();
        int axis = 0;
        foreach (int d in new[] { dt, dh, dw })
        {
            var omega = 1.0 / Tensor.Pow(10000.0, Tensor.Arange(0, d / 2, 1, DType.Float64, device) / (d / 2.0));
            var angles = positions.Select(1, axis++).Unsqueeze(1) * omega.Unsqueeze(0); // (N, d/2)
            parts.Add(angles.Sin());
            parts.Add(angles.Cos());
        }
        return scope.Keep(Tensor.Cat(parts, 1).To(dtype));                        // (N, dim)
    }
}
