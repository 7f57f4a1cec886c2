namespace Workbench.Torch;

// Elementwise math, comparisons, reductions and matrix products, with operator overloads.
public sealed partial class Tensor
{
    // ---- unary ----
    public Tensor Neg() => Wrap(Native.wb_neg(Handle));
    public Tensor Abs() => Wrap(Native.wb_abs(Handle));
    public Tensor Exp() => Wrap(Native.wb_exp(Handle));
    public Tensor Log() => Wrap(Native.wb_log(Handle));
    public Tensor Log1p() => Wrap(Native.wb_log1p(Handle));
    public Tensor Expm1() => Wrap(Native.wb_expm1(Handle));
    public Tensor Sqrt() => Wrap(Native.wb_sqrt(Handle));
    public Tensor Rsqrt() => Wrap(Native.wb_rsqrt(Handle));
    public Tensor Square() => Wrap(Native.wb_square(Handle));
    public Tensor Reciprocal() => Wrap(Native.wb_reciprocal(Handle));
    public Tensor Sin() => Wrap(Native.wb_sin(Handle));
    public Tensor Cos() => Wrap(Native.wb_cos(Handle));
    public Tensor Tanh() => Wrap(Native.wb_tanh(Handle));
    public Tensor Sigmoid() => Wrap(Native.wb_sigmoid(Handle));
    public Tensor Relu() => Wrap(Native.wb_relu(Handle));
    public Tensor Erf() => Wrap(Native.wb_erf(Handle));
    public Tensor Floor() => Wrap(Native.wb_floor(Handle));
    public Tensor Ceil() => Wrap(Native.wb_ceil(Handle));
    public Tensor Round() => Wrap(Native.wb_round(Handle));
    public Tensor Sign() => Wrap(Native.wb_sign(Handle));
    public Tensor LogicalNot() => Wrap(Native.wb_logical_not(Handle));
    public Tensor IsNaN() => Wrap(Native.wb_isnan(Handle));
    public Tensor IsInf() => Wrap(Native.wb_isinf(Handle));
    public Tensor IsFinite() => Wrap(Native.wb_isfinite(Handle));
    public Tensor Clone() => Wrap(Native.wb_clone(Handle));
    public Tensor Contiguous() => Wrap(Native.wb_contiguous(Handle));

    // ---- binary, broadcasting ----
    public Tensor Add(Tensor other) => Wrap(Native.wb_add(Handle, other.Handle));
    public Tensor Sub(Tensor other) => Wrap(Native.wb_sub(Handle, other.Handle));
    public Tensor Mul(Tensor other) => Wrap(Native.wb_mul(Handle, other.Handle));
    public Tensor Div(Tensor other) => Wrap(Native.wb_div(Handle, other.Handle));
    public Tensor Pow(Tensor exponent) => Wrap(Native.wb_pow(Handle, exponent.Handle));
    public Tensor Remainder(Tensor other) => Wrap(Native.wb_remainder(Handle, other.Handle));
    public Tensor Atan2(Tensor other) => Wrap(Native.wb_atan2(Handle, other.Handle));
    public Tensor Maximum(Tensor other) => Wrap(Native.wb_maximum(Handle, other.Handle));
    public Tensor Minimum(Tensor other) => Wrap(Native.wb_minimum(Handle, other.Handle));
    public Tensor LogicalAnd(Tensor other) => Wrap(Native.wb_logical_and(Handle, other.Handle));
    public Tensor LogicalOr(Tensor other) => Wrap(Native.wb_logical_or(Handle, other.Handle));

    public Tensor Add(Scalar s) => Wrap(Native.wb_add_s(Handle, s));
    public Tensor Sub(Scalar s) => Wrap(Native.wb_sub_s(Handle, s));
    public Tensor Mul(Scalar s) => Wrap(Native.wb_mul_s(Handle, s));
    public Tensor Div(Scalar s) => Wrap(Native.wb_div_s(Handle, s));
    public Tensor Pow(Scalar exponent) => Wrap(Native.wb_pow_s(Handle, exponent));
    public Tensor Remainder(Scalar s) => Wrap(Native.wb_remainder_s(Handle, s));
    public Tensor ClampMin(Scalar min) => Wrap(Native.wb_clamp_min(Handle, min));
    public Tensor ClampMax(Scalar max) => Wrap(Native.wb_clamp_max(Handle, max));
    public Tensor Clamp(Scalar min, Scalar max) => Wrap(Native.wb_clamp(Handle, min, max));
    /// <summary>this + weight * (end - this).</summary>
    public Tensor Lerp(Tensor end, Tensor weight) => Wrap(Native.wb_lerp(Handle, end.Handle, weight.Handle));
    /// <summary>A copy with <paramref name="value"/> where <paramref name="mask"/> is true.</summary>
    public Tensor MaskedFill(Tensor mask, Scalar value) => Wrap(Native.wb_masked_fill(Handle, mask.Handle, value));

    // ---- comparisons (bool tensors) ----
    public Tensor Eq(Tensor other) => Wrap(Native.wb_eq(Handle, other.Handle));
    public Tensor Ne(Tensor other) => Wrap(Native.wb_ne(Handle, other.Handle));
    public Tensor Lt(Tensor other) => Wrap(Native.wb_lt(Handle, other.Handle));
    public Tensor Le(Tensor other) => Wrap(Native.wb_le(Handle, other.Handle));
    public Tensor Gt(Tensor other) => Wrap(Native.wb_gt(Handle, other.Handle));
    public Tensor Ge(Tensor other) => Wrap(Native.wb_ge(Handle, other.Handle));
    public Tensor Eq(Scalar s) => Wrap(Native.wb_eq_s(Handle, s));
    public Tensor Ne(Scalar s) => Wrap(Native.wb_ne_s(Handle, s));
    public Tensor Lt(Scalar s) => Wrap(Native.wb_lt_s(Handle, s));
    public Tensor Le(Scalar s) => Wrap(Native.wb_le_s(Handle, s));
    public Tensor Gt(Scalar s) => Wrap(Native.wb_gt_s(Handle, s));
    public Tensor Ge(Scalar s) => Wrap(Native.wb_ge_s(Handle, s));

    /// <summary>Elementwise choice: <paramref name="a"/> where <paramref name="condition"/> is true, else <paramref name="b"/>.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b) => Wrap(Native.wb_where(condition.Handle, a.Handle, b.Handle));

    /// <summary>|this - other| &lt;= atol + rtol * |other| everywhere (shapes broadcast).</summary>
    public bool AllClose(Tensor other, double rtol = 1e-5, double atol = 1e-8) =>
        CheckedCount(Native.wb_allclose(Handle, other.Handle, rtol, atol)) == 1;

    // ---- operators ----
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    public static Tensor operator %(Tensor a, Tensor b) => a.Remainder(b);
    public static Tensor operator +(Tensor a, Scalar s) => a.Add(s);
    public static Tensor operator -(Tensor a, Scalar s) => a.Sub(s);
    public static Tensor operator *(Tensor a, Scalar s) => a.Mul(s);
    public static Tensor operator /(Tensor a, Scalar s) => a.Div(s);
    public static Tensor operator %(Tensor a, Scalar s) => a.Remainder(s);
    public static Tensor operator +(Scalar s, Tensor a) => a.Add(s);
    public static Tensor operator -(Scalar s, Tensor a) => Wrap(Native.wb_rsub_s(a.Handle, s));
    public static Tensor operator *(Scalar s, Tensor a) => a.Mul(s);
    public static Tensor operator /(Scalar s, Tensor a) => Wrap(Native.wb_rdiv_s(a.Handle, s));
    public static Tensor operator -(Tensor a) => a.Neg();
    public static Tensor operator <(Tensor a, Tensor b) => a.Lt(b);
    public static Tensor operator >(Tensor a, Tensor b) => a.Gt(b);
    public static Tensor operator <=(Tensor a, Tensor b) => a.Le(b);
    public static Tensor operator >=(Tensor a, Tensor b) => a.Ge(b);
    public static Tensor operator <(Tensor a, Scalar s) => a.Lt(s);
    public static Tensor operator >(Tensor a, Scalar s) => a.Gt(s);
    public static Tensor operator <=(Tensor a, Scalar s) => a.Le(s);
    public static Tensor operator >=(Tensor a, Scalar s) => a.Ge(s);
    public static Tensor operator &(Tensor a, Tensor b) => a.LogicalAnd(b);
    public static Tensor operator |(Tensor a, Tensor b) => a.LogicalOr(b);
    public static Tensor operator !(Tensor a) => a.LogicalNot();

    /// <summary>s ** this, elementwise.</summary>
    public static Tensor Pow(Scalar s, Tensor exponent) => Wrap(Native.wb_rpow_s(exponent.Handle, s));

    // ---- reductions over dims (default: all), keepDim as in PyTorch ----
    public Tensor Sum(Dims dims = default, bool keepDim = false) => Wrap(Native.wb_sum(Handle, dims.Span, dims.Count, keepDim ? 1 : 0));
    public Tensor Mean(Dims dims = default, bool keepDim = false) => Wrap(Native.wb_mean(Handle, dims.Span, dims.Count, keepDim ? 1 : 0));
    /// <summary>Largest value over <paramref name="dims"/> (torch.amax).</summary>
    public Tensor Max(Dims dims = default, bool keepDim = false) => Wrap(Native.wb_amax(Handle, dims.Span, dims.Count, keepDim ? 1 : 0));
    /// <summary>Smallest value over <paramref name="dims"/> (torch.amin).</summary>
    public Tensor Min(Dims dims = default, bool keepDim = false) => Wrap(Native.wb_amin(Handle, dims.Span, dims.Count, keepDim ? 1 : 0));
    public Tensor LogSumExp(Dims dims = default, bool keepDim = false) => Wrap(Native.wb_logsumexp(Handle, dims.Span, dims.Count, keepDim ? 1 : 0));
    public Tensor Any(Dims dims = default, bool keepDim = false) => Wrap(Native.wb_any(Handle, dims.Span, dims.Count, keepDim ? 1 : 0));
    public Tensor All(Dims dims = default, bool keepDim = false) => Wrap(Native.wb_all(Handle, dims.Span, dims.Count, keepDim ? 1 : 0));
    /// <summary>Variance; correction 1 (default) is the sample variance, 0 the population variance.</summary>
    public Tensor Var(Dims dims = default, long correction = 1, bool keepDim = false) => Wrap(Native.wb_var(Handle, dims.Span, dims.Count, correction, keepDim ? 1 : 0));
    public Tensor Std(Dims dims = default, long correction = 1, bool keepDim = false) => Wrap(Native.wb_std(Handle, dims.Span, dims.Count, correction, keepDim ? 1 : 0));
    /// <summary>Vector p-norm over <paramref name="dims"/> (p = ∞ for max-abs).</summary>
    public Tensor Norm(double p = 2, Dims dims = default, bool keepDim = false) => Wrap(Native.wb_norm(Handle, p, dims.Span, dims.Count, keepDim ? 1 : 0));
    /// <summary>Index of the largest value along <paramref name="dim"/>, or in the flattened tensor when null.</summary>
    public Tensor ArgMax(long? dim = null, bool keepDim = false) => Wrap(Native.wb_argmax(Handle, dim ?? 0, dim.HasValue ? 1 : 0, keepDim ? 1 : 0));
    public Tensor ArgMin(long? dim = null, bool keepDim = false) => Wrap(Native.wb_argmin(Handle, dim ?? 0, dim.HasValue ? 1 : 0, keepDim ? 1 : 0));
    public Tensor CumSum(long dim) => Wrap(Native.wb_cumsum(Handle, dim));
    public Tensor CumProd(long dim) => Wrap(Native.wb_cumprod(Handle, dim));

    public (Tensor Values, Tensor Indices) TopK(long k, long dim = -1, bool largest = true)
    {
        Check(Native.wb_topk(Handle, k, dim, largest ? 1 : 0, out var values, out var indices));
        return (new Tensor(values), new Tensor(indices));
    }

    public (Tensor Values, Tensor Indices) Sort(long dim = -1, bool descending = false)
    {
        Check(Native.wb_sort(Handle, dim, descending ? 1 : 0, out var values, out var indices));
        return (new Tensor(values), new Tensor(indices));
    }

    // ---- matrix products ----
    /// <summary>Matrix product with NumPy broadcasting rules (torch.matmul).</summary>
    public Tensor MatMul(Tensor other) => Wrap(Native.wb_matmul(Handle, other.Handle));
    /// <summary>Batched (B, n, m) @ (B, m, p).</summary>
    public Tensor Bmm(Tensor other) => Wrap(Native.wb_bmm(Handle, other.Handle));
    public Tensor Outer(Tensor other) => Wrap(Native.wb_outer(Handle, other.Handle));

    /// <summary>Einstein summation, e.g. <c>Tensor.Einsum("bij,bjk->bik", a, b)</c>.</summary>
    public static Tensor Einsum(string equation, params Tensor[] operands) =>
        WithRawHandles(operands, raw => Wrap(Native.wb_einsum(equation, raw, raw.Length)));

    // Runs a native call over a list of tensors, keeping them alive (and undisposable) while it runs.
    internal static T WithRawHandles<T>(IReadOnlyList<Tensor> tensors, Func<IntPtr[], T> call)
    {
        var handles = new TensorHandle[tensors.Count];
        var raw = new IntPtr[tensors.Count];
        var added = new bool[tensors.Count];
        try
        {
            for (int i = 0; i < tensors.Count; i++)
            {
                handles[i] = tensors[i].Handle;
                handles[i].DangerousAddRef(ref added[i]);
                raw[i] = handles[i].DangerousGetHandle();
            }
            return call(raw);
        }
        finally
        {
            for (int i = 0; i < tensors.Count; i++)
                if (added[i]) handles[i].DangerousRelease();
        }
    }

    // ---- in place (optimizers, initialisers); each returns this ----
    public Tensor Add_(Tensor other) { Check(Native.wb_add_(Handle, other.Handle)); return this; }
    public Tensor Sub_(Tensor other) { Check(Native.wb_sub_(Handle, other.Handle)); return this; }
    public Tensor Mul_(Tensor other) { Check(Native.wb_mul_(Handle, other.Handle)); return this; }
    public Tensor Div_(Tensor other) { Check(Native.wb_div_(Handle, other.Handle)); return this; }
    public Tensor Add_(Scalar s) { Check(Native.wb_add_s_(Handle, s)); return this; }
    public Tensor Mul_(Scalar s) { Check(Native.wb_mul_s_(Handle, s)); return this; }
    public Tensor Div_(Scalar s) { Check(Native.wb_div_s_(Handle, s)); return this; }
    public Tensor Fill_(Scalar value) { Check(Native.wb_fill_(Handle, value)); return this; }
    public Tensor ClampMin_(Scalar min) { Check(Native.wb_clamp_min_(Handle, min)); return this; }
    public Tensor ClampMax_(Scalar max) { Check(Native.wb_clamp_max_(Handle, max)); return this; }
    public Tensor Zero_() { Check(Native.wb_zero_(Handle)); return this; }
    /// <summary>Copies <paramref name="source"/> (broadcast, converted) into this tensor.</summary>
    public Tensor Copy_(Tensor source) { Check(Native.wb_copy_(Handle, source.Handle)); return this; }
    /// <summary>this += alpha * other.</summary>
    public Tensor Add_(Tensor other, Scalar alpha) { Check(Native.wb_add_scaled_(Handle, other.Handle, alpha)); return this; }
    /// <summary>this += value * t1 * t2.</summary>
    public Tensor AddCMul_(Tensor t1, Tensor t2, Scalar value) { Check(Native.wb_addcmul_(Handle, t1.Handle, t2.Handle, value)); return this; }
    /// <summary>this += value * t1 / t2.</summary>
    public Tensor AddCDiv_(Tensor t1, Tensor t2, Scalar value) { Check(Native.wb_addcdiv_(Handle, t1.Handle, t2.Handle, value)); return this; }
    /// <summary>this += weight * (end - this).</summary>
    public Tensor Lerp_(Tensor end, Scalar weight) { Check(Native.wb_lerp_(Handle, end.Handle, weight)); return this; }
}
