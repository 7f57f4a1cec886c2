namespace Workbench.Torch;

public sealed partial class Tensor
{
    /// <summary>The dtype used when none is given for floating-point creation.</summary>
    public static DType DefaultDType { get; set; } = DType.Float32;

    private static (int dtype, int type, int index, int grad) Options(DType? dtype, Device? device, bool requiresGrad, DType fallback)
    {
        var d = device ?? Device.Cpu;
        return ((int)(dtype ?? fallback), (int)d.Type, d.Index, requiresGrad ? 1 : 0);
    }

    private static void CheckShape(ReadOnlySpan<long> shape, string argument = "shape")
    {
        foreach (var s in shape)
            if (s < 0) throw new ArgumentException($"{argument} {FormatShape(shape)} has a negative size", argument);
    }

    public static Tensor Zeros(ReadOnlySpan<long> shape, DType? dtype = null, Device? device = null, bool requiresGrad = false)
    {
        CheckShape(shape);
        var o = Options(dtype, device, requiresGrad, DefaultDType);
        return Wrap(Native.wb_zeros(shape, shape.Length, o.dtype, o.type, o.index, o.grad));
    }

    public static Tensor Ones(ReadOnlySpan<long> shape, DType? dtype = null, Device? device = null, bool requiresGrad = false)
    {
        CheckShape(shape);
        var o = Options(dtype, device, requiresGrad, DefaultDType);
        return Wrap(Native.wb_ones(shape, shape.Length, o.dtype, o.type, o.index, o.grad));
    }

    /// <summary>Uninitialised memory (fast; fill it before reading).</summary>
    public static Tensor Empty(ReadOnlySpan<long> shape, DType? dtype = null, Device? device = null, bool requiresGrad = false)
    {
        CheckShape(shape);
        var o = Options(dtype, device, requiresGrad, DefaultDType);
        return Wrap(Native.wb_empty(shape, shape.Length, o.dtype, o.type, o.index, o.grad));
    }

    public static Tensor Full(ReadOnlySpan<long> shape, Scalar value, DType? dtype = null, Device? device = null, bool requiresGrad = false)
    {
        CheckShape(shape);
        var o = Options(dtype, device, requiresGrad, value.IsInteger ? DType.Int64 : DefaultDType);
        return Wrap(Native.wb_full(shape, shape.Length, value, o.dtype, o.type, o.index, o.grad));
    }

    /// <summary>0-dimensional tensor holding one value.</summary>
    public static Tensor FromScalar(Scalar value, DType? dtype = null, Device? device = null, bool requiresGrad = false)
    {
        var o = Options(dtype, device, requiresGrad, value.IsInteger ? DType.Int64 : DefaultDType);
        return Wrap(Native.wb_scalar_tensor(value, o.dtype, o.type, o.index, o.grad));
    }

    /// <summary>[0, end) in steps of 1; int64 for integer arguments, as in PyTorch.</summary>
    public static Tensor Arange(Scalar end, DType? dtype = null, Device? device = null) => Arange(0, end, 1, dtype, device);

    /// <summary>[start, end) in steps of <paramref name="step"/>.</summary>
    public static Tensor Arange(Scalar start, Scalar end, Scalar step, DType? dtype = null, Device? device = null)
    {
        if (step.ToDouble() == 0) throw new ArgumentException("arange: step must be non-zero", nameof(step));
        bool ints = start.IsInteger && end.IsInteger && step.IsInteger;
        var o = Options(dtype, device, false, ints ? DType.Int64 : DefaultDType);
        return Wrap(Native.wb_arange(start, end, step, o.dtype, o.type, o.index, o.grad));
    }

    /// <summary><paramref name="steps"/> evenly spaced values from start to end, both included.</summary>
    public static Tensor Linspace(double start, double end, long steps, DType? dtype = null, Device? device = null)
    {
        if (steps < 0) throw new ArgumentException($"linspace: steps must be >= 0, got {steps}", nameof(steps));
        var o = Options(dtype, device, false, DefaultDType);
        return Wrap(Native.wb_linspace(start, end, steps, o.dtype, o.type, o.index, o.grad));
    }

    public static Tensor Eye(long n, DType? dtype = null, Device? device = null)
    {
        var o = Options(dtype, device, false, DefaultDType);
        return Wrap(Native.wb_eye(n, o.dtype, o.type, o.index, o.grad));
    }

    // ---- random ----

    /// <summary>Standard normal samples; the same generator seed gives the same tensor.</summary>
    public static Tensor Randn(ReadOnlySpan<long> shape, DType? dtype = null, Device? device = null, Generator? generator = null, bool requiresGrad = false)
    {
        CheckShape(shape);
        var o = Options(dtype, device, requiresGrad, DefaultDType);
        return Wrap(Native.wb_randn(shape, shape.Length, Generator.HandleOf(generator), o.dtype, o.type, o.index, o.grad));
    }

    /// <summary>Uniform samples in [0, 1).</summary>
    public static Tensor Rand(ReadOnlySpan<long> shape, DType? dtype = null, Device? device = null, Generator? generator = null, bool requiresGrad = false)
    {
        CheckShape(shape);
        var o = Options(dtype, device, requiresGrad, DefaultDType);
        return Wrap(Native.wb_rand(shape, shape.Length, Generator.HandleOf(generator), o.dtype, o.type, o.index, o.grad));
    }

    /// <summary>Uniform integers in [low, high).</summary>
    public static Tensor Randint(long low, long high, ReadOnlySpan<long> shape, DType? dtype = null, Device? device = null, Generator? generator = null)
    {
        CheckShape(shape);
        if (high <= low) throw new ArgumentException($"randint: high ({high}) must be greater than low ({low})", nameof(high));
        var o = Options(dtype, device, false, DType.Int64);
        return Wrap(Native.wb_randint(low, high, shape, shape.Length, Generator.HandleOf(generator), o.dtype, o.type, o.index, o.grad));
    }

    /// <summary>A random permutation of 0..n-1 (int64).</summary>
    public static Tensor Randperm(long n, Device? device = null, Generator? generator = null)
    {
        var o = Options(DType.Int64, device, false, DType.Int64);
        return Wrap(Native.wb_randperm(n, Generator.HandleOf(generator), o.dtype, o.type, o.index, o.grad));
    }

    public static Tensor ZerosLike(Tensor t, DType? dtype = null) => Zeros(t.ShapeNoCopy, dtype ?? t.DType, t.Device);
    public static Tensor OnesLike(Tensor t, DType? dtype = null) => Ones(t.ShapeNoCopy, dtype ?? t.DType, t.Device);
    public static Tensor FullLike(Tensor t, Scalar value, DType? dtype = null) => Full(t.ShapeNoCopy, value, dtype ?? t.DType, t.Device);
    public static Tensor RandnLike(Tensor t, Generator? generator = null) => Randn(t.ShapeNoCopy, t.DType, t.Device, generator);
    public static Tensor RandLike(Tensor t, Generator? generator = null) => Rand(t.ShapeNoCopy, t.DType, t.Device, generator);

    // In-place random fills (weight initialisers).
    public Tensor Normal_(double mean = 0, double std = 1, Generator? generator = null)
    {
        Check(Native.wb_normal_(Handle, mean, std, Generator.HandleOf(generator)));
        return this;
    }

    public Tensor Uniform_(double low = 0, double high = 1, Generator? generator = null)
    {
        Check(Native.wb_uniform_(Handle, low, high, Generator.HandleOf(generator)));
        return this;
    }

    /// <summary>0/1 samples with this tensor's values as probabilities.</summary>
    public Tensor Bernoulli(Generator? generator = null) => Wrap(Native.wb_bernoulli(Handle, Generator.HandleOf(generator)));

    /// <summary>Indices sampled from the rows of this tensor as (unnormalised) weights.</summary>
    public Tensor Multinomial(long samples, bool replacement = false, Generator? generator = null) =>
        Wrap(Native.wb_multinomial(Handle, samples, replacement ? 1 : 0, Generator.HandleOf(generator)));

    // ---- data in ----

    /// <summary>A tensor holding a copy of <paramref name="data"/>, viewed as <paramref name="shape"/> (default: 1-D).</summary>
    public static unsafe Tensor From<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape = default, Device? device = null, bool requiresGrad = false)
        where T : unmanaged
    {
        long[] dims = shape.IsEmpty ? [data.Length] : shape.ToArray();
        CheckShape(dims);
        long count = 1;
        foreach (var s in dims) count *= s;
        if (count != data.Length)
            throw new ArgumentException($"{data.Length} values cannot fill shape {FormatShape(dims)} ({count} elements)", nameof(shape));
        var o = Options(DTypeExtensions.Of<T>(), device, requiresGrad, DefaultDType);
        fixed (T* p = data)
            return Wrap(Native.wb_from_data(p, dims, dims.Length, o.dtype, o.type, o.index, o.grad));
    }

    public static Tensor From<T>(T[] data, ReadOnlySpan<long> shape = default, Device? device = null, bool requiresGrad = false)
        where T : unmanaged => From((ReadOnlySpan<T>)data, shape, device, requiresGrad);

    /// <summary>A 2-D tensor from a rectangular array.</summary>
    public static unsafe Tensor From<T>(T[,] data, Device? device = null, bool requiresGrad = false) where T : unmanaged
    {
        var span = MemoryMarshalHelpers.Flatten<T>(data);
        return From(span, [data.GetLength(0), data.GetLength(1)], device, requiresGrad);
    }

    /// <summary>A 3-D tensor from a rectangular array.</summary>
    public static Tensor From<T>(T[,,] data, Device? device = null, bool requiresGrad = false) where T : unmanaged
    {
        var span = MemoryMarshalHelpers.Flatten<T>(data);
        return From(span, [data.GetLength(0), data.GetLength(1), data.GetLength(2)], device, requiresGrad);
    }

    // ---- data out ----

    /// <summary>Copies the elements (row-major) into <paramref name="destination"/>; T must match the dtype.</summary>
    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        var want = DTypeExtensions.Of<T>();
        if (want != DType)
            throw new InvalidOperationException($"this tensor is {DType.Name()}, not {want.Name()} ({typeof(T).Name}); convert it first with .To(DType.{want})");
        long n = NumEl;
        if (destination.Length != n)
            throw new ArgumentException($"destination holds {destination.Length} elements, the tensor {n} (shape {FormatShape(ShapeNoCopy)})", nameof(destination));
        fixed (T* p = destination)
            Check(Native.wb_copy_out(Handle, p, n * sizeof(T)));
    }

    /// <summary>The elements (row-major) as a new array; T must match the dtype.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var result = new T[NumEl];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>The single value of a one-element tensor, converted to T.</summary>
    public T Item<T>() where T : unmanaged, System.Numerics.INumberBase<T>
    {
        if (NumEl != 1) throw new InvalidOperationException($"Item() needs a tensor with one element, this one has shape {FormatShape(ShapeNoCopy)}");
        Check(Native.wb_item(Handle, out var d, out var i));
        return DType.IsFloatingPoint() ? T.CreateChecked(d) : T.CreateChecked(i);
    }
}

internal static class MemoryMarshalHelpers
{
    public static ReadOnlySpan<T> Flatten<T>(Array data) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(
            ref System.Runtime.CompilerServices.Unsafe.As<byte, T>(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(data)),
            data.Length);
}
