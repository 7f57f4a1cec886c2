using Workbench.Torch;

namespace Workbench.Metrics;

/// <summary>How each pyramid level's flow increment is solved.</summary>
public enum FlowMethod
{
    /// <summary>Local least squares over a Gaussian window (Lucas &amp; Kanade 1981; dense, pyramidal as in Bouguet 2000):
    /// the flow is scaled down where the window holds less gradient energy than the ridge, so a moving object's flow
    /// does not spread over a plain background.</summary>
    LucasKanade,
    /// <summary>Global smoothness (Horn &amp; Schunck 1981): a dense field everywhere, filled in across flat regions.</summary>
    HornSchunck,
}

/// <summary>Settings of <see cref="OpticalFlow"/>; intensities are on the 0-255 scale.</summary>
public sealed record FlowOptions
{
    public FlowMethod Method { get; init; } = FlowMethod.LucasKanade;
    /// <summary>Lucas–Kanade: σ (pixels) of the Gaussian window the normal equations are summed over.</summary>
    public double Window { get; init; } = 1.5;
    /// <summary>Lucas–Kanade: ridge added to the 2×2 normal matrix (intensity² per pixel²), so flat regions get zero flow.</summary>
    public double Ridge { get; init; } = 10;
    /// <summary>Horn–Schunck: smoothness weight α (in intensity units): larger gives smoother flow.</summary>
    public double Alpha { get; init; } = 6;
    /// <summary>Horn–Schunck: Jacobi iterations per warp.</summary>
    public int Iterations { get; init; } = 80;
    /// <summary>Re-linearisations (warps of the second frame by the current flow) per pyramid level.</summary>
    public int Warps { get; init; } = 3;
    /// <summary>The coarsest level is the last whose shorter side is at least this many pixels.</summary>
    public int MinLevelSize { get; init; } = 8;
    /// <summary>Gaussian pre-smoothing of both frames (σ in pixels; 0 for none).</summary>
    public double Sigma { get; init; } = 1.0;
}

/// <summary>
/// Dense optical flow by classical methods, coarse to fine with warping: on each level of a pyramid the second
/// frame is warped by the current flow, the brightness-constancy equation is linearised around it, and the
/// increment is solved either locally (Lucas–Kanade, the default: the 2×2 normal equations summed over a
/// Gaussian window, with a small ridge, per pixel) or globally (Horn–Schunck: Jacobi iterations of the
/// Euler–Lagrange equations <c>u ← ū − Ix (Ix (ū − u₀) + Iy (v̄ − v₀) + It) / (α² + Ix² + Iy²)</c>, ū the weighted
/// 8-neighbour mean). Everything runs on tensors, for a batch of frame pairs at once. It stands in for RAFT
/// (VBench's dynamic degree and static filter) and for the flow of a classical frame interpolator (motion
/// smoothness), where a pretrained network is not available. Horn–Schunck fills flat regions with flow spread
/// from moving edges (and the pyramid magnifies it), which on a plain background inflates flow statistics;
/// Lucas–Kanade leaves them still.
/// </summary>
public static class OpticalFlow
{
    /// <summary>
    /// Flow (N, 2, H, W) from <paramref name="frame1"/> to <paramref name="frame2"/>, both (N, C, H, W) with intensities
    /// in 0..255 (colour is reduced to luminance): channel 0 is the horizontal displacement u, channel 1 the
    /// vertical v, in pixels, such that frame1(x, y) ≈ frame2(x + u, y + v).
    /// </summary>
    public static Tensor Compute(Tensor frame1, Tensor frame2, FlowOptions? options = null) => Solve(frame1, frame2, options, symmetric: false);

    /// <summary>Horn–Schunck flow (see <see cref="Compute"/>; the method option is overridden).</summary>
    public static Tensor HornSchunck(Tensor frame1, Tensor frame2, FlowOptions? options = null) =>
        Solve(frame1, frame2, (options ?? new FlowOptions()) with { Method = FlowMethod.HornSchunck }, symmetric: false);

    /// <summary>Lucas–Kanade flow (see <see cref="Compute"/>; the method option is overridden).</summary>
    public static Tensor LucasKanade(Tensor frame1, Tensor frame2, FlowOptions? options = null) =>
        Solve(frame1, frame2, (options ?? new FlowOptions()) with { Method = FlowMethod.LucasKanade }, symmetric: false);

    /// <summary>
    /// Symmetric (bilateral) flow v (N, 2, H, W) for the frame halfway between two frames: frame1(x − v) ≈ frame2(x + v),
    /// the motion of whatever is at x at mid-time, half of it on each side. Classical motion-compensated frame
    /// interpolation estimates this field directly, so the in-between frame is ½(frame1(x − v) + frame2(x + v)) with
    /// no forward splatting or occlusion reasoning.
    /// </summary>
    public static Tensor Symmetric(Tensor frame1, Tensor frame2, FlowOptions? options = null) => Solve(frame1, frame2, options, symmetric: true);

    private static Tensor Solve(Tensor frame1, Tensor frame2, FlowOptions? options, bool symmetric)
    {
        var o = options ?? new FlowOptions();
        if (frame1.Rank != 4 || !frame1.Shape.SequenceEqual(frame2.Shape))
            throw new ArgumentException($"optical flow takes two frame batches (N, C, H, W) of one shape, got {Tensor.FormatShape(frame1.Shape)} and {Tensor.FormatShape(frame2.Shape)}");
        if (frame1.Size(2) < 2 || frame1.Size(3) < 2)
            throw new ArgumentException($"frames of {frame1.Size(2)}×{frame1.Size(3)} pixels are too small for optical flow");
        if (o.Alpha <= 0 || o.Iterations < 1 || o.Warps < 1 || o.MinLevelSize < 2 || o.Window <= 0 || o.Ridge <= 0)
            throw new ArgumentException($"invalid flow options {o}");
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var i1 = Smooth(Luminance(frame1.To(DType.Float32)), o.Sigma);
        var i2 = Smooth(Luminance(frame2.To(DType.Float32)), o.Sigma);

        // Pyramid: halve (bilinear, with anti-aliasing blur) while the shorter side stays >= MinLevelSize.
        var levels = new List<(Tensor A, Tensor B)> { (i1, i2) };
        while (Math.Min(levels[^1].A.Size(2), levels[^1].A.Size(3)) / 2 >= o.MinLevelSize)
        {
            var (a, b) = levels[^1];
            long h = (a.Size(2) + 1) / 2, w = (a.Size(3) + 1) / 2;
            levels.Add((F.Interpolate(Smooth(a, 1.0), [h, w], InterpolateMode.Linear), F.Interpolate(Smooth(b, 1.0), [h, w], InterpolateMode.Linear)));
        }

        Tensor? flow = null;
        for (int level = levels.Count - 1; level >= 0; level--)
        {
            var (a, b) = levels[level];
            long h = a.Size(2), w = a.Size(3);
            if (flow is null) flow = Tensor.Zeros([a.Size(0), 2, h, w], DType.Float32, a.Device);
            else
            {
                double sy = (double)h / flow.Size(2), sx = (double)w / flow.Size(3);
                var up = F.Interpolate(flow, [h, w], InterpolateMode.Linear);
                flow = Tensor.Cat([up.Narrow(1, 0, 1) * sx, up.Narrow(1, 1, 1) * sy], 1);
            }
            for (int k = 0; k < o.Warps; k++) flow = Refine(a, b, flow, o, symmetric);
        }
        if (o.Method == FlowMethod.LucasKanade)
        {
            // No image structure, no evidence of motion: where the window's gradient energy is below the ridge, the
            // flow (carried over from coarser levels, whose windows reached further) fades to 0.
            var (g1x, g1y) = Gradients(i1);
            var (g2x, g2y) = Gradients(i2);
            var energy = Smooth((g1x.Square() + g1y.Square() + g2x.Square() + g2y.Square()) * 0.5, o.Window);
            flow = flow! * (energy / o.Ridge).ClampMax(1.0);
        }
        return scope.Keep(flow!);
    }

    // One linearisation: warp, then Jacobi iterations for the total flow. Forward: i2(x + u) − i1(x) ≈ It + ∇·du with
    // gradients of the mean of i1 and the warped i2. Symmetric: i2(x + u) − i1(x − u) ≈ It + (∇i1w + ∇i2w)·du.
    private static Tensor Refine(Tensor i1, Tensor i2, Tensor flow, FlowOptions o, bool symmetric)
    {
        using var scope = DisposeScope.Enter();
        Tensor ix, iy, it, inside;
        if (symmetric)
        {
            var (w1, in1) = WarpWithMask(i1, flow.Neg());
            var (w2, in2) = WarpWithMask(i2, flow);
            inside = in1 * in2;
            var (g1x, g1y) = Gradients(w1);
            var (g2x, g2y) = Gradients(w2);
            (ix, iy, it) = ((g1x + g2x) * inside, (g1y + g2y) * inside, (w2 - w1) * inside);
        }
        else
        {
            var (warped, mask) = WarpWithMask(i2, flow);
            inside = mask;
            var (gx, gy) = Gradients((i1 + warped) * 0.5);
            (ix, iy, it) = (gx * inside, gy * inside, (warped - i1) * inside);
        }
        if (o.Method == FlowMethod.LucasKanade)
        {
            // Normal equations of Σ_window (Ix du + Iy dv + It)², plus a ridge: flat windows give du = dv = 0.
            var jxx = Smooth(ix * ix, o.Window) + o.Ridge;
            var jyy = Smooth(iy * iy, o.Window) + o.Ridge;
            var jxy = Smooth(ix * iy, o.Window);
            var jxt = Smooth(ix * it, o.Window);
            var jyt = Smooth(iy * it, o.Window);
            var det = jxx * jyy - jxy * jxy;
            var du = (jxy * jyt - jyy * jxt) / det;
            var dv = (jxy * jxt - jxx * jyt) / det;
            return scope.Keep(flow + Tensor.Cat([du, dv], 1));
        }
        var denominator = ix.Square() + iy.Square() + o.Alpha * o.Alpha;
        var u0 = flow.Narrow(1, 0, 1);
        var v0 = flow.Narrow(1, 1, 1);
        var u = u0.Clone();
        var v = v0.Clone();
        for (int n = 0; n < o.Iterations; n++)
        {
            using var step = DisposeScope.Enter();
            var ubar = NeighbourMean(u);
            var vbar = NeighbourMean(v);
            var t = (ix * (ubar - u0) + iy * (vbar - v0) + it) / denominator;
            var un = (ubar - ix * t).MoveToOuterScope();
            var vn = (vbar - iy * t).MoveToOuterScope();
            u.Dispose(); v.Dispose();
            (u, v) = (un, vn);
        }
        return scope.Keep(Tensor.Cat([u, v], 1));
    }

    /// <summary>ITU-R BT.601 luminance of (N, 3, H, W); (N, 1, H, W) is returned as it is.</summary>
    public static Tensor Luminance(Tensor frames)
    {
        if (frames.Size(1) == 1) return frames.Alias();
        if (frames.Size(1) != 3) throw new ArgumentException($"frames need 1 or 3 channels, got {Tensor.FormatShape(frames.Shape)}");
        using var scope = DisposeScope.Enter();
        var weights = Tensor.From(new float[] { 0.299f, 0.587f, 0.114f }, [1, 3, 1, 1], frames.Device).To(frames.DType);
        return scope.Keep((frames * weights).Sum(1, keepDim: true));
    }

    /// <summary>
    /// Samples <paramref name="image"/> (N, C, H, W) at (x + u, y + v) for the flow (N, 2, H, W), bilinearly, with
    /// positions outside the frame clamped to its border (backward warping: the result at x shows image at x + flow).
    /// </summary>
    public static Tensor Warp(Tensor image, Tensor flow)
    {
        var (warped, inside) = WarpWithMask(image, flow);
        inside.Dispose();
        return warped;
    }

    private static (Tensor Warped, Tensor Inside) WarpWithMask(Tensor image, Tensor flow)
    {
        using var scope = DisposeScope.Enter();
        long n = image.Size(0), c = image.Size(1), h = image.Size(2), w = image.Size(3);
        if (flow.Rank != 4 || flow.Size(0) != n || flow.Size(1) != 2 || flow.Size(2) != h || flow.Size(3) != w)
            throw new ArgumentException($"flow {Tensor.FormatShape(flow.Shape)} does not match images {Tensor.FormatShape(image.Shape)}: expected ({n}, 2, {h}, {w})");
        var gx = Tensor.Arange(0, w, 1, DType.Float32, image.Device).Reshape(1, 1, 1, w);
        var gy = Tensor.Arange(0, h, 1, DType.Float32, image.Device).Reshape(1, 1, h, 1);
        var xs = flow.Narrow(1, 0, 1).To(DType.Float32) + gx;                  // (N, 1, H, W)
        var ys = flow.Narrow(1, 1, 1).To(DType.Float32) + gy;
        var inside = ((xs >= -0.5) & (xs <= w - 0.5) & (ys >= -0.5) & (ys <= h - 0.5)).To(image.DType);
        xs = xs.Clamp(0, w - 1);
        ys = ys.Clamp(0, h - 1);
        var x0 = xs.Floor().Clamp(0, Math.Max(w - 2, 0));
        var y0 = ys.Floor().Clamp(0, Math.Max(h - 2, 0));
        var wx = (xs - x0).To(image.DType);
        var wy = (ys - y0).To(image.DType);
        var flat = image.Reshape(n, c, h * w);
        Tensor Sample(Tensor yy, Tensor xx)
        {
            var index = (yy * w + xx).To(DType.Int64).Reshape(n, 1, h * w).Expand(n, c, h * w).Contiguous();
            return flat.Gather(2, index).Reshape(n, c, h, w);
        }
        long dx = w > 1 ? 1 : 0, dy = h > 1 ? 1 : 0;
        var top = Sample(y0, x0) * (1 - wx) + Sample(y0, x0 + dx) * wx;
        var bottom = Sample(y0 + dy, x0) * (1 - wx) + Sample(y0 + dy, x0 + dx) * wx;
        var result = top * (1 - wy) + bottom * wy;
        return (scope.Keep(result), scope.Keep(inside));
    }

    /// <summary>Central-difference gradients (∂/∂x, ∂/∂y) of (N, 1, H, W), one-sided at the border.</summary>
    public static (Tensor X, Tensor Y) Gradients(Tensor image)
    {
        using var scope = DisposeScope.Enter();
        var padded = image.Pad([1, 1, 1, 1], PadMode.Replicate);
        long h = image.Size(2), w = image.Size(3);
        var gx = (padded.Narrow(2, 1, h).Narrow(3, 2, w) - padded.Narrow(2, 1, h).Narrow(3, 0, w)) * 0.5;
        var gy = (padded.Narrow(2, 2, h).Narrow(3, 1, w) - padded.Narrow(2, 0, h).Narrow(3, 1, w)) * 0.5;
        return (scope.Keep(gx.Contiguous()), scope.Keep(gy.Contiguous()));
    }

    // Horn–Schunck's weighted neighbour mean: 1/6 for the 4 edge neighbours, 1/12 for the 4 corners.
    private static Tensor NeighbourMean(Tensor x)
    {
        using var scope = DisposeScope.Enter();
        var kernel = Tensor.From(new float[] { 1 / 12f, 1 / 6f, 1 / 12f, 1 / 6f, 0, 1 / 6f, 1 / 12f, 1 / 6f, 1 / 12f }, [1, 1, 3, 3], x.Device).To(x.DType);
        return scope.Keep(F.Conv2d(x.Pad([1, 1, 1, 1], PadMode.Replicate), kernel));
    }

    /// <summary>Separable Gaussian blur of (N, C, H, W) with replicate borders (σ = 0: a copy).</summary>
    public static Tensor Smooth(Tensor x, double sigma)
    {
        if (sigma <= 0) return x.Clone();
        using var scope = DisposeScope.Enter();
        int radius = Math.Max(1, (int)Math.Ceiling(2 * sigma));
        var g = new float[2 * radius + 1];
        double total = 0;
        for (int i = -radius; i <= radius; i++) total += g[i + radius] = (float)Math.Exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < g.Length; i++) g[i] /= (float)total;
        long c = x.Size(1);
        var kx = Tensor.From(g, [1, 1, 1, g.Length], x.Device).To(x.DType).Expand(c, 1, 1, g.Length).Contiguous();
        var ky = Tensor.From(g, [1, 1, g.Length, 1], x.Device).To(x.DType).Expand(c, 1, g.Length, 1).Contiguous();
        var padded = x.Pad([radius, radius, radius, radius], PadMode.Replicate);
        var blurred = F.Conv2d(F.Conv2d(padded, kx, groups: c), ky, groups: c);
        return scope.Keep(blurred);
    }
}
