global using LibTorch = Workbench.Torch.Torch;

namespace Workbench.Tests;

/// <summary>Assertions over tensor values, with messages that name the first element that differs.</summary>
internal static class Expect
{
    /// <summary>The elements of <paramref name="t"/> (any dtype, any device) as float64 on the CPU.</summary>
    public static double[] Values(Tensor t) => t.To(DType.Float64, Device.Cpu).ToArray<double>();

    public static void Shape(long[] expected, Tensor t) =>
        Assert.True(expected.AsSpan().SequenceEqual(t.Shape), $"expected shape {Tensor.FormatShape(expected)}, got {Tensor.FormatShape(t.Shape)}");

    /// <summary>|actual - expected| &lt;= atol + rtol·|expected| for every element (NaNs must match NaNs).</summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double rtol = 1e-5, double atol = 1e-6)
    {
        Assert.True(expected.Length == actual.Length, $"expected {expected.Length} elements, got {actual.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            if (double.IsInfinity(e) && e == a) continue;
            Assert.True(Math.Abs(a - e) <= atol + rtol * Math.Abs(e),
                $"element {i}: expected {e:R}, got {a:R} (|diff| {Math.Abs(a - e):E2} > atol {atol:E1} + rtol {rtol:E1}·|expected|)");
        }
    }

    /// <summary>The tensor has <paramref name="shape"/> and values close to <paramref name="expected"/>.</summary>
    public static void Close(double[] expected, long[] shape, Tensor actual, double rtol = 1e-5, double atol = 1e-6)
    {
        Shape(shape, actual);
        Close(expected, Values(actual), rtol, atol);
    }

    public static void Close(double[] expected, Tensor actual, double rtol = 1e-5, double atol = 1e-6) =>
        Close(expected, Values(actual), rtol, atol);

    /// <summary>Exactly these values (compared as float64).</summary>
    public static void Exactly(double[] expected, Tensor actual) => Assert.Equal(expected, Values(actual));
}

/// <summary>Tolerances that hold on the CPU and on CUDA in float32 (where matmul and conv may run in TF32).</summary>
internal static class Tol
{
    /// <summary>(rtol, atol) for products: matmul, conv, attention.</summary>
    public static (double R, double A) Products(Device d) => d.IsCuda ? (2e-3, 2e-3) : (1e-5, 1e-5);

    /// <summary>(rtol, atol) for elementwise and normalising ops in float32.</summary>
    public static (double R, double A) Float32(Device d) => d.IsCuda ? (1e-4, 1e-5) : (1e-5, 1e-6);
}

/// <summary>Deterministic test data from System.Random (independent of libtorch's generators).</summary>
internal static class Data
{
    public static double[] Uniform(int n, int seed, double low = -1, double high = 1)
    {
        var rng = new Random(seed);
        var result = new double[n];
        for (int i = 0; i < n; i++) result[i] = low + (high - low) * rng.NextDouble();
        return result;
    }

    /// <summary>Uniform values already rounded to float32, so a float32 tensor holds them exactly.</summary>
    public static double[] UniformF(int n, int seed, double low = -1, double high = 1) =>
        Uniform(n, seed, low, high).Select(v => (double)(float)v).ToArray();

    public static float[] ToFloat(double[] v) => v.Select(x => (float)x).ToArray();

    /// <summary>A float32 tensor holding <paramref name="values"/> (which should be float32-exact).</summary>
    public static Tensor F32(double[] values, long[] shape, Device d, bool requiresGrad = false) =>
        Tensor.From(ToFloat(values), shape, d, requiresGrad);

    public static Tensor F64(double[] values, long[] shape, Device d, bool requiresGrad = false) =>
        Tensor.From(values, shape, d, requiresGrad);

    public static long Count(long[] shape) => shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>Naive float64 reference implementations of the functional ops (nested loops, textbook formulas).</summary>
internal static class Reference
{
    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>erf by its Maclaurin series; accurate to ~1e-12 for |x| &lt;= 3.</summary>
    public static double Erf(double x)
    {
        if (Math.Abs(x) > 3.5) throw new ArgumentOutOfRangeException(nameof(x), "the series reference is only for |x| <= 3.5");
        double sum = 0, term = x; // term = (-1)^n x^(2n+1) / n!
        for (int n = 0; n < 200; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
            if (Math.Abs(term) < 1e-18) break;
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    public static double Gelu(double x) => 0.5 * x * (1 + Erf(x / Math.Sqrt(2)));
    public static double GeluTanh(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));

    /// <summary>Softmax along a dim of a row-major tensor of <paramref name="shape"/>.</summary>
    public static double[] Softmax(double[] x, long[] shape, int dim, bool log = false)
    {
        long outer = 1, inner = 1, n = shape[dim];
        for (int i = 0; i < dim; i++) outer *= shape[i];
        for (int i = dim + 1; i < shape.Length; i++) inner *= shape[i];
        var y = new double[x.Length];
        for (long o = 0; o < outer; o++)
            for (long j = 0; j < inner; j++)
            {
                double max = double.NegativeInfinity, sum = 0;
                for (long k = 0; k < n; k++) max = Math.Max(max, x[(o * n + k) * inner + j]);
                for (long k = 0; k < n; k++) sum += Math.Exp(x[(o * n + k) * inner + j] - max);
                for (long k = 0; k < n; k++)
                {
                    long at = (o * n + k) * inner + j;
                    y[at] = log ? x[at] - max - Math.Log(sum) : Math.Exp(x[at] - max) / sum;
                }
            }
        return y;
    }

    /// <summary>(N, I) @ (O, I)ᵀ + b.</summary>
    public static double[] Linear(double[] x, int n, int inF, double[] w, int outF, double[]? b)
    {
        var y = new double[n * outF];
        for (int i = 0; i < n; i++)
            for (int o = 0; o < outF; o++)
            {
                double s = b?[o] ?? 0;
                for (int k = 0; k < inF; k++) s += x[i * inF + k] * w[o * inF + k];
                y[i * outF + o] = s;
            }
        return y;
    }

    /// <summary>(n, m) @ (m, p).</summary>
    public static double[] MatMul(double[] a, double[] b, int n, int m, int p, int aOffset = 0, int bOffset = 0)
    {
        var c = new double[n * p];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < p; j++)
            {
                double s = 0;
                for (int k = 0; k < m; k++) s += a[aOffset + i * m + k] * b[bOffset + k * p + j];
                c[i * p + j] = s;
            }
        return c;
    }

    /// <summary>Convolution of x (N, C, T, H, W) with w (O, C/groups, kT, kH, kW): the definition, one output at a time.</summary>
    public static (double[] Y, long[] Shape) Conv3d(double[] x, long[] xs, double[] w, long[] ws, double[]? bias,
        (int T, int H, int W) stride, (int T, int H, int W) pad, (int T, int H, int W) dil, int groups)
    {
        int N = (int)xs[0], C = (int)xs[1], T = (int)xs[2], H = (int)xs[3], W = (int)xs[4];
        int O = (int)ws[0], Cg = (int)ws[1], KT = (int)ws[2], KH = (int)ws[3], KW = (int)ws[4];
        int Og = O / groups;
        int OT = (T + 2 * pad.T - dil.T * (KT - 1) - 1) / stride.T + 1;
        int OH = (H + 2 * pad.H - dil.H * (KH - 1) - 1) / stride.H + 1;
        int OW = (W + 2 * pad.W - dil.W * (KW - 1) - 1) / stride.W + 1;
        var y = new double[N * O * OT * OH * OW];
        for (int n = 0; n < N; n++)
            for (int o = 0; o < O; o++)
                for (int ot = 0; ot < OT; ot++)
                    for (int oh = 0; oh < OH; oh++)
                        for (int ow = 0; ow < OW; ow++)
                        {
                            double s = bias?[o] ?? 0;
                            int g = o / Og;
                            for (int c = 0; c < Cg; c++)
                                for (int kt = 0; kt < KT; kt++)
                                    for (int kh = 0; kh < KH; kh++)
                                        for (int kw = 0; kw < KW; kw++)
                                        {
                                            int t = ot * stride.T - pad.T + kt * dil.T;
                                            int h = oh * stride.H - pad.H + kh * dil.H;
                                            int ww = ow * stride.W - pad.W + kw * dil.W;
                                            if (t < 0 || t >= T || h < 0 || h >= H || ww < 0 || ww >= W) continue;
                                            int ci = g * Cg + c;
                                            s += x[(((n * C + ci) * T + t) * H + h) * W + ww] * w[(((o * Cg + c) * KT + kt) * KH + kh) * KW + kw];
                                        }
                            y[(((n * O + o) * OT + ot) * OH + oh) * OW + ow] = s;
                        }
        return (y, [N, O, OT, OH, OW]);
    }

    /// <summary>
    /// Transposed convolution of x (N, C, T, H, W) with w (C, O/groups, kT, kH, kW): every input element
    /// scatters input·kernel into the output at position·stride - padding + offset·dilation.
    /// </summary>
    public static (double[] Y, long[] Shape) ConvTranspose3d(double[] x, long[] xs, double[] w, long[] ws, double[]? bias,
        (int T, int H, int W) stride, (int T, int H, int W) pad, (int T, int H, int W) outPad, int groups)
    {
        int N = (int)xs[0], C = (int)xs[1], T = (int)xs[2], H = (int)xs[3], W = (int)xs[4];
        int Og = (int)ws[1], KT = (int)ws[2], KH = (int)ws[3], KW = (int)ws[4];
        int O = Og * groups, Cg = C / groups;
        int OT = (T - 1) * stride.T - 2 * pad.T + KT + outPad.T;
        int OH = (H - 1) * stride.H - 2 * pad.H + KH + outPad.H;
        int OW = (W - 1) * stride.W - 2 * pad.W + KW + outPad.W;
        var y = new double[N * O * OT * OH * OW];
        for (int n = 0; n < N; n++)
            for (int o = 0; o < O; o++)
                for (int i = 0; i < OT * OH * OW; i++)
                    y[(n * O + o) * OT * OH * OW + i] = bias?[o] ?? 0;
        for (int n = 0; n < N; n++)
            for (int c = 0; c < C; c++)
                for (int t = 0; t < T; t++)
                    for (int h = 0; h < H; h++)
                        for (int ww = 0; ww < W; ww++)
                        {
                            double v = x[(((n * C + c) * T + t) * H + h) * W + ww];
                            int g = c / Cg;
                            for (int oj = 0; oj < Og; oj++)
                                for (int kt = 0; kt < KT; kt++)
                                    for (int kh = 0; kh < KH; kh++)
                                        for (int kw = 0; kw < KW; kw++)
                                        {
                                            int ot = t * stride.T - pad.T + kt, oh = h * stride.H - pad.H + kh, ow = ww * stride.W - pad.W + kw;
                                            if (ot < 0 || ot >= OT || oh < 0 || oh >= OH || ow < 0 || ow >= OW) continue;
                                            int o = g * Og + oj;
                                            y[(((n * O + o) * OT + ot) * OH + oh) * OW + ow] += v * w[(((c * Og + oj) * KT + kt) * KH + kh) * KW + kw];
                                        }
                        }
        return (y, [N, O, OT, OH, OW]);
    }

    /// <summary>Group norm of (N, C, rest...): population mean and variance over each group's channels and positions.</summary>
    public static double[] GroupNorm(double[] x, long[] shape, int groups, double[]? w, double[]? b, double eps)
    {
        int N = (int)shape[0], C = (int)shape[1];
        int S = (int)(x.Length / (N * C)), Cg = C / groups;
        var y = new double[x.Length];
        for (int n = 0; n < N; n++)
            for (int g = 0; g < groups; g++)
            {
                int start = (n * C + g * Cg) * S, count = Cg * S;
                double mean = 0, var = 0;
                for (int i = 0; i < count; i++) mean += x[start + i];
                mean /= count;
                for (int i = 0; i < count; i++) var += (x[start + i] - mean) * (x[start + i] - mean);
                var /= count;
                for (int i = 0; i < count; i++)
                {
                    int c = g * Cg + i / S;
                    y[start + i] = (x[start + i] - mean) / Math.Sqrt(var + eps) * (w?[c] ?? 1) + (b?[c] ?? 0);
                }
            }
        return y;
    }

    /// <summary>Layer norm over the last <paramref name="d"/> elements of each row.</summary>
    public static double[] LayerNorm(double[] x, int d, double[]? w, double[]? b, double eps)
    {
        var y = new double[x.Length];
        for (int r = 0; r < x.Length / d; r++)
        {
            double mean = 0, var = 0;
            for (int i = 0; i < d; i++) mean += x[r * d + i];
            mean /= d;
            for (int i = 0; i < d; i++) var += (x[r * d + i] - mean) * (x[r * d + i] - mean);
            var /= d;
            for (int i = 0; i < d; i++) y[r * d + i] = (x[r * d + i] - mean) / Math.Sqrt(var + eps) * (w?[i] ?? 1) + (b?[i] ?? 0);
        }
        return y;
    }

    /// <summary>
    /// Attention over (B, L, E) queries and (B, S, E) keys / (B, S, Ev) values: softmax(q·k·scale + mask) v, with
    /// <paramref name="allowed"/>(b, i, j) false for masked pairs and <paramref name="bias"/>(b, i, j) added.
    /// </summary>
    public static (double[] Out, double[] Weights) Attention(double[] q, double[] k, double[] v, int B, int L, int S, int E, int Ev,
        double scale, Func<int, int, int, bool>? allowed = null, Func<int, int, int, double>? bias = null)
    {
        var output = new double[B * L * Ev];
        var weights = new double[B * L * S];
        for (int b = 0; b < B; b++)
            for (int i = 0; i < L; i++)
            {
                var scores = new double[S];
                for (int j = 0; j < S; j++)
                {
                    if (allowed is not null && !allowed(b, i, j)) { scores[j] = double.NegativeInfinity; continue; }
                    double s = 0;
                    for (int e = 0; e < E; e++) s += q[(b * L + i) * E + e] * k[(b * S + j) * E + e];
                    scores[j] = s * scale + (bias?.Invoke(b, i, j) ?? 0);
                }
                double max = scores.Max(), sum = scores.Sum(s => Math.Exp(s - max));
                for (int j = 0; j < S; j++) weights[(b * L + i) * S + j] = Math.Exp(scores[j] - max) / sum;
                for (int e = 0; e < Ev; e++)
                {
                    double acc = 0;
                    for (int j = 0; j < S; j++) acc += weights[(b * L + i) * S + j] * v[(b * S + j) * Ev + e];
                    output[(b * L + i) * Ev + e] = acc;
                }
            }
        return (output, weights);
    }

    /// <summary>
    /// Source index and weight tables of linear interpolation along one axis, as PyTorch defines them:
    /// align_corners maps the corner samples onto each other, otherwise pixel centres (clamped at 0).
    /// </summary>
    public static (int I0, int I1, double Frac)[] LinearTaps(int inSize, int outSize, bool alignCorners)
    {
        var taps = new (int, int, double)[outSize];
        for (int o = 0; o < outSize; o++)
        {
            double src = alignCorners
                ? (outSize > 1 ? o * (inSize - 1.0) / (outSize - 1.0) : 0)
                : Math.Max(0, (o + 0.5) * inSize / outSize - 0.5);
            int i0 = Math.Min((int)Math.Floor(src), inSize - 1);
            int i1 = Math.Min(i0 + 1, inSize - 1);
            taps[o] = (i0, i1, src - i0);
        }
        return taps;
    }

    /// <summary>Trilinear resize of (N, C, T, H, W): a weighted sum of the 8 neighbouring source samples.</summary>
    public static double[] Trilinear(double[] x, long[] xs, int OT, int OH, int OW, bool alignCorners)
    {
        int NC = (int)(xs[0] * xs[1]), T = (int)xs[2], H = (int)xs[3], W = (int)xs[4];
        var tt = LinearTaps(T, OT, alignCorners); var th = LinearTaps(H, OH, alignCorners); var tw = LinearTaps(W, OW, alignCorners);
        var y = new double[NC * OT * OH * OW];
        for (int nc = 0; nc < NC; nc++)
            for (int ot = 0; ot < OT; ot++)
                for (int oh = 0; oh < OH; oh++)
                    for (int ow = 0; ow < OW; ow++)
                    {
                        double s = 0;
                        foreach (var (it, wt) in new[] { (tt[ot].I0, 1 - tt[ot].Frac), (tt[ot].I1, tt[ot].Frac) })
                            foreach (var (ih, wh) in new[] { (th[oh].I0, 1 - th[oh].Frac), (th[oh].I1, th[oh].Frac) })
                                foreach (var (iw, ww) in new[] { (tw[ow].I0, 1 - tw[ow].Frac), (tw[ow].I1, tw[ow].Frac) })
                                    s += wt * wh * ww * x[((nc * T + it) * H + ih) * W + iw];
                        y[((nc * OT + ot) * OH + oh) * OW + ow] = s;
                    }
        return y;
    }

    /// <summary>Average pooling of (N, C, T, H, W), zero padding counted in the divisor (PyTorch's default).</summary>
    public static (double[] Y, long[] Shape) AvgPool3d(double[] x, long[] xs, (int T, int H, int W) k, (int T, int H, int W) s, (int T, int H, int W) p)
    {
        int NC = (int)(xs[0] * xs[1]), T = (int)xs[2], H = (int)xs[3], W = (int)xs[4];
        int OT = (T + 2 * p.T - k.T) / s.T + 1, OH = (H + 2 * p.H - k.H) / s.H + 1, OW = (W + 2 * p.W - k.W) / s.W + 1;
        var y = new double[NC * OT * OH * OW];
        for (int nc = 0; nc < NC; nc++)
            for (int ot = 0; ot < OT; ot++)
                for (int oh = 0; oh < OH; oh++)
                    for (int ow = 0; ow < OW; ow++)
                    {
                        double sum = 0;
                        for (int a = 0; a < k.T; a++)
                            for (int b = 0; b < k.H; b++)
                                for (int c = 0; c < k.W; c++)
                                {
                                    int t = ot * s.T - p.T + a, h = oh * s.H - p.H + b, w = ow * s.W - p.W + c;
                                    if (t >= 0 && t < T && h >= 0 && h < H && w >= 0 && w < W) sum += x[((nc * T + t) * H + h) * W + w];
                                }
                        y[((nc * OT + ot) * OH + oh) * OW + ow] = sum / (k.T * k.H * k.W);
                    }
        return (y, [xs[0], xs[1], OT, OH, OW]);
    }
}

/// <summary>
/// Gradient check: the gradient autograd computes for d/dinputs Σ w·f(inputs) (w a fixed random projection)
/// against central finite differences of the same function, all in float64.
/// </summary>
internal static class GradCheck
{
    public static void Run(Device d, Func<Tensor[], Tensor> f, params (double[] Data, long[] Shape)[] inputs) =>
        Run(d, f, 1e-5, 1e-7, inputs);

    public static void Run(Device d, Func<Tensor[], Tensor> f, double rtol, double atol, params (double[] Data, long[] Shape)[] inputs)
    {
        using var scope = DisposeScope.Enter();
        var leaves = inputs.Select(i => Tensor.From(i.Data, i.Shape, d, requiresGrad: true)).ToArray();
        var y = f(leaves);
        Assert.Equal(DType.Float64, y.DType);
        var projection = Data.Uniform((int)y.NumEl, seed: 4242, low: 0.5, high: 1.5);
        y.Backward(Tensor.From(projection, y.Shape, d));

        const double h = 1e-6;
        for (int k = 0; k < inputs.Length; k++)
        {
            var analytic = Expect.Values(leaves[k].Grad ?? throw new InvalidOperationException($"input {k} got no gradient"));
            var numeric = new double[inputs[k].Data.Length];
            for (int i = 0; i < numeric.Length; i++)
            {
                double plus = Evaluate(d, f, inputs, projection, k, i, +h);
                double minus = Evaluate(d, f, inputs, projection, k, i, -h);
                numeric[i] = (plus - minus) / (2 * h);
            }
            try { Expect.Close(numeric, analytic, rtol, atol); }
            catch (Exception e) { throw new Xunit.Sdk.XunitException($"gradient of input {k}: {e.Message}"); }
        }
    }

    private static double Evaluate(Device d, Func<Tensor[], Tensor> f, (double[] Data, long[] Shape)[] inputs, double[] projection,
        int which, int element, double delta)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var ts = inputs.Select((inp, k) =>
        {
            var data = (double[])inp.Data.Clone();
            if (k == which) data[element] += delta;
            return Tensor.From(data, inp.Shape, d);
        }).ToArray();
        var y = Expect.Values(f(ts));
        double sum = 0;
        for (int i = 0; i < y.Length; i++) sum += y[i] * projection[i];
        return sum;
    }
}

/// <summary>Tests that count live native tensors or process memory, or that use the global random generator, run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "serial: global state";
}
