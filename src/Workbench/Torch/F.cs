namespace Workbench.Torch;

/// <summary>How a loss reduces over elements (at::Reduction).</summary>
public enum Reduction
{
    None = 0,
    Mean = 1,
    Sum = 2,
}

/// <summary>Interpolation modes for <see cref="F.Interpolate"/>.</summary>
public enum InterpolateMode
{
    Nearest = 0,
    /// <summary>Linear, bilinear or trilinear by the number of spatial dims.</summary>
    Linear = 1,
}

/// <summary>Functional neural-network ops (torch.nn.functional), over libtorch's kernels.</summary>
public static class F
{
    private static TensorHandle Opt(Tensor? t) => t?.Handle ?? TensorHandle.Null;

    /// <summary>x @ weightᵀ + bias; weight (out, in).</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null) =>
        Tensor.Wrap(Native.wb_linear(x.Handle, weight.Handle, Opt(bias)));

    /// <summary>2-D convolution of (N, C, H, W) with weight (O, C/groups, kH, kW).</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, (long H, long W)? stride = null,
        (long H, long W)? padding = null, (long H, long W)? dilation = null, long groups = 1)
    {
        var s = stride ?? (1, 1); var p = padding ?? (0, 0); var d = dilation ?? (1, 1);
        return Tensor.Wrap(Native.wb_conv2d(x.Handle, weight.Handle, Opt(bias), [s.H, s.W], [p.H, p.W], [d.H, d.W], groups));
    }

    /// <summary>3-D convolution of (N, C, T, H, W) with weight (O, C/groups, kT, kH, kW).</summary>
    public static Tensor Conv3d(Tensor x, Tensor weight, Tensor? bias = null, (long T, long H, long W)? stride = null,
        (long T, long H, long W)? padding = null, (long T, long H, long W)? dilation = null, long groups = 1)
    {
        var s = stride ?? (1, 1, 1); var p = padding ?? (0, 0, 0); var d = dilation ?? (1, 1, 1);
        return Tensor.Wrap(Native.wb_conv3d(x.Handle, weight.Handle, Opt(bias), [s.T, s.H, s.W], [p.T, p.H, p.W], [d.T, d.H, d.W], groups));
    }

    /// <summary>Transposed 3-D convolution; weight (C_in, O/groups, kT, kH, kW).</summary>
    public static Tensor ConvTranspose3d(Tensor x, Tensor weight, Tensor? bias = null, (long T, long H, long W)? stride = null,
        (long T, long H, long W)? padding = null, (long T, long H, long W)? outputPadding = null,
        (long T, long H, long W)? dilation = null, long groups = 1)
    {
        var s = stride ?? (1, 1, 1); var p = padding ?? (0, 0, 0); var o = outputPadding ?? (0, 0, 0); var d = dilation ?? (1, 1, 1);
        return Tensor.Wrap(Native.wb_conv_transpose3d(x.Handle, weight.Handle, Opt(bias), [s.T, s.H, s.W], [p.T, p.H, p.W],
            [o.T, o.H, o.W], [d.T, d.H, d.W], groups));
    }

    /// <summary>Group normalisation of (N, C, ...) over C/groups channels and all positions.</summary>
    public static Tensor GroupNorm(Tensor x, long groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        if (groups <= 0 || x.Rank < 2 || x.Size(1) % groups != 0)
            throw new ArgumentException($"group norm: {(x.Rank >= 2 ? x.Size(1) : 0)} channels of shape {Tensor.FormatShape(x.ShapeNoCopy)} do not split into {groups} groups", nameof(groups));
        return Tensor.Wrap(Native.wb_group_norm(x.Handle, groups, Opt(weight), Opt(bias), eps));
    }

    /// <summary>Layer normalisation over the trailing <paramref name="normalizedShape"/> dims.</summary>
    public static Tensor LayerNorm(Tensor x, ReadOnlySpan<long> normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
        Tensor.Wrap(Native.wb_layer_norm(x.Handle, normalizedShape, normalizedShape.Length, Opt(weight), Opt(bias), eps));

    public static Tensor Silu(Tensor x) => Tensor.Wrap(Native.wb_silu(x.Handle));
    /// <summary>GELU; <paramref name="tanhApproximation"/> selects the tanh form used by DiT's MLP.</summary>
    public static Tensor Gelu(Tensor x, bool tanhApproximation = false) => Tensor.Wrap(Native.wb_gelu(x.Handle, tanhApproximation ? 1 : 0));
    public static Tensor Relu(Tensor x) => x.Relu();
    public static Tensor Softmax(Tensor x, long dim) => Tensor.Wrap(Native.wb_softmax(x.Handle, dim));
    public static Tensor LogSoftmax(Tensor x, long dim) => Tensor.Wrap(Native.wb_log_softmax(x.Handle, dim));

    /// <summary>Zeroes elements with probability p and scales the rest by 1/(1-p) when training.</summary>
    public static Tensor Dropout(Tensor x, double p, bool training = true)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), $"dropout probability must be in [0, 1], got {p}");
        return Tensor.Wrap(Native.wb_dropout(x.Handle, p, training ? 1 : 0));
    }

    /// <summary>Rows of <paramref name="weight"/> picked by integer <paramref name="indices"/>.</summary>
    public static Tensor Embedding(Tensor indices, Tensor weight) => Tensor.Wrap(Native.wb_embedding(weight.Handle, indices.Handle));

    /// <summary>Resizes the spatial dims of (N, C, ...) to <paramref name="size"/>.</summary>
    public static Tensor Interpolate(Tensor x, ReadOnlySpan<long> size, InterpolateMode mode = InterpolateMode.Nearest, bool alignCorners = false)
    {
        if (size.Length != x.Rank - 2)
            throw new ArgumentException($"interpolate: input of shape {Tensor.FormatShape(x.ShapeNoCopy)} has {x.Rank - 2} spatial dims, size has {size.Length}", nameof(size));
        return Tensor.Wrap(Native.wb_interpolate(x.Handle, size, size.Length, (int)mode, alignCorners ? 1 : 0));
    }

    /// <summary>Resizes the spatial dims of (N, C, ...) by integer <paramref name="scale"/> factors.</summary>
    public static Tensor Interpolate(Tensor x, double scale, InterpolateMode mode = InterpolateMode.Nearest, bool alignCorners = false)
    {
        var size = x.Shape[2..].Select(s => (long)Math.Floor(s * scale)).ToArray();
        return Interpolate(x, size, mode, alignCorners);
    }

    public static Tensor AvgPool3d(Tensor x, (long T, long H, long W) kernel, (long T, long H, long W)? stride = null, (long T, long H, long W)? padding = null)
    {
        var s = stride ?? kernel; var p = padding ?? (0, 0, 0);
        return Tensor.Wrap(Native.wb_avg_pool3d(x.Handle, [kernel.T, kernel.H, kernel.W], [s.T, s.H, s.W], [p.T, p.H, p.W]));
    }

    public static Tensor AvgPool2d(Tensor x, (long H, long W) kernel, (long H, long W)? stride = null, (long H, long W)? padding = null)
    {
        var s = stride ?? kernel; var p = padding ?? (0, 0);
        return Tensor.Wrap(Native.wb_avg_pool2d(x.Handle, [kernel.H, kernel.W], [s.H, s.W], [p.H, p.W]));
    }

    /// <summary>
    /// softmax(q kᵀ · scale + mask) v over (..., L, E) queries and (..., S, E) keys/values.
    /// <paramref name="mask"/>: bool (true = may attend) or additive float, broadcastable to (..., L, S).
    /// <paramref name="isCausal"/>: query i sees keys ≤ i. Scale defaults to 1/√E. On libtorch 2.x this
    /// runs the fused kernels (flash / memory-efficient); 1.x and <see cref="ScaledDotProductAttentionWithWeights"/>
    /// run the composite.
    /// </summary>
    public static Tensor ScaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor? mask = null, double dropout = 0,
        bool isCausal = false, double? scale = null)
    {
        unsafe
        {
            return Tensor.Wrap(Native.wb_sdpa(q.Handle, k.Handle, v.Handle, Opt(mask), dropout, isCausal ? 1 : 0, scale ?? double.NaN, null));
        }
    }

    /// <summary>Attention that also returns its weights (..., L, S), for attention-map views.</summary>
    public static (Tensor Output, Tensor Weights) ScaledDotProductAttentionWithWeights(Tensor q, Tensor k, Tensor v,
        Tensor? mask = null, double dropout = 0, bool isCausal = false, double? scale = null)
    {
        unsafe
        {
            IntPtr weights = IntPtr.Zero;
            var output = Tensor.Wrap(Native.wb_sdpa(q.Handle, k.Handle, v.Handle, Opt(mask), dropout, isCausal ? 1 : 0, scale ?? double.NaN, &weights));
            return (output, new Tensor(new TensorHandle(weights)));
        }
    }

    /// <summary>True when the bridge was built against a libtorch with fused attention (2.1+).</summary>
    public static bool HasFusedAttention => Native.wb_has_fused_attention() == 1;

    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        CheckSameShape(input, target, "mse loss");
        return Tensor.Wrap(Native.wb_mse_loss(input.Handle, target.Handle, (int)reduction));
    }

    public static Tensor L1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        CheckSameShape(input, target, "l1 loss");
        return Tensor.Wrap(Native.wb_l1_loss(input.Handle, target.Handle, (int)reduction));
    }

    /// <summary>Cross entropy of logits (N, C, ...) against class indices (N, ...).</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean,
        long ignoreIndex = -100, double labelSmoothing = 0) =>
        Tensor.Wrap(Native.wb_cross_entropy(logits.Handle, target.Handle, Opt(weight), (int)reduction, ignoreIndex, labelSmoothing));

    // Losses broadcast silently in libtorch (with a warning only); a shape mismatch there is almost always a bug.
    private static void CheckSameShape(Tensor input, Tensor target, string what)
    {
        if (!input.ShapeNoCopy.AsSpan().SequenceEqual(target.ShapeNoCopy))
            throw new ArgumentException($"{what}: input shape {Tensor.FormatShape(input.ShapeNoCopy)} differs from target shape {Tensor.FormatShape(target.ShapeNoCopy)}");
    }
}
