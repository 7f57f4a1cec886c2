using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Workbench.Torch;

/// <summary>
/// An n-dimensional array on a device, backed by a libtorch tensor. Ops return new tensors (or views);
/// dispose tensors you are done with, or create them inside a <see cref="DisposeScope"/> so that the
/// temporaries of a step die at its end: the GC does not see native (or GPU) memory.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private readonly TensorHandle _handle;
    private long[]? _shape;
    private DType? _dtype;
    private Device? _device;
    internal DisposeScope? Scope;

    internal Tensor(TensorHandle handle)
    {
        _handle = handle;
        if (DisposeScope.Current is { } scope) scope.Register(this);
        else handle.AddMemoryPressure();
    }

    /// <summary>The native handle; throws if this tensor was disposed.</summary>
    internal TensorHandle Handle => _handle.IsClosed
        ? throw new ObjectDisposedException(nameof(Tensor), "this tensor was disposed (or its dispose scope ended); keep it with MoveToOuterScope() or DetachFromScope()")
        : _handle;

    internal IntPtr RawHandle => Handle.DangerousGetHandle();

    public bool IsDisposed => _handle.IsClosed;

    public void Dispose()
    {
        if (_handle.IsClosed) return;
        Scope?.Unregister(this);
        _handle.Dispose();
    }

    // ---- metadata ----

    public long[] Shape => (long[])(_shape ??= QueryShape()).Clone();
    internal long[] ShapeNoCopy => _shape ??= QueryShape();
    public int Rank => ShapeNoCopy.Length;
    /// <summary>Size of one dimension (negative counts from the end).</summary>
    public long Size(int dim) => Rank > 0 ? ShapeNoCopy[NormalizeDim(dim)]
        : throw new ArgumentOutOfRangeException(nameof(dim), $"dimension {dim} is out of range for a tensor of rank 0 (it has no dimensions)");
    public long NumEl { get { long n = 1; foreach (var s in ShapeNoCopy) n *= s; return n; } }
    public DType DType => _dtype ??= (DType)CheckedCount(Native.wb_dtype(Handle));
    public Device Device => _device ??= QueryDevice();
    public bool IsContiguous => CheckedCount(Native.wb_is_contiguous(Handle)) == 1;
    public long[] Strides()
    {
        Span<long> buf = stackalloc long[64];
        int n = CheckedCount(Native.wb_strides(Handle, buf, buf.Length));
        return buf[..n].ToArray();
    }

    private long[] QueryShape()
    {
        Span<long> buf = stackalloc long[64];
        int n = CheckedCount(Native.wb_shape(Handle, buf, buf.Length));
        return buf[..n].ToArray();
    }

    private Device QueryDevice()
    {
        int type = CheckedCount(Native.wb_device(Handle, out var index));
        return new Device((DeviceType)type, index);
    }

    internal int NormalizeDim(long dim, int? rank = null)
    {
        int r = rank ?? Rank;
        long d = dim < 0 ? dim + r : dim;
        if (d < 0 || d >= Math.Max(r, 1))
            throw new ArgumentOutOfRangeException(nameof(dim), $"dimension {dim} is out of range for a tensor of rank {r} (shape {FormatShape(ShapeNoCopy)})");
        return (int)d;
    }

    /// <summary>"[2, 3, 16]": a shape as PyTorch prints it.</summary>
    public static string FormatShape(ReadOnlySpan<long> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    // ---- error checking: every native call goes through one of these ----

    internal static Tensor Wrap(TensorHandle h, [CallerMemberName] string op = "")
    {
        if (h.IsInvalid) throw LastError(op);
        return new Tensor(h);
    }

    internal static void Check(int status, [CallerMemberName] string op = "")
    {
        if (status < 0) throw LastError(op);
    }

    internal static int CheckedCount(int value, [CallerMemberName] string op = "")
    {
        if (value < 0) throw LastError(op);
        return value;
    }

    internal static TorchException LastError(string op)
    {
        var message = Marshal.PtrToStringUTF8(Native.wb_last_error()) ?? "unknown libtorch error";
        return new TorchException($"{op}: {message}") { Operation = op, NativeMessage = message };
    }

    // ---- scopes ----

    /// <summary>Moves this tensor from its dispose scope to the enclosing one (or out of scopes at the top).</summary>
    public Tensor MoveToOuterScope()
    {
        var outer = Scope?.Outer;
        Scope?.Unregister(this);
        if (outer is not null) outer.Register(this);
        else _handle.AddMemoryPressure();
        return this;
    }

    /// <summary>Takes this tensor out of every dispose scope: it lives until disposed (or collected).</summary>
    public Tensor DetachFromScope()
    {
        if (Scope is null) return this;
        Scope.Unregister(this);
        _handle.AddMemoryPressure();
        return this;
    }

    /// <summary>A second handle to the same tensor (shares storage and autograd identity).</summary>
    public Tensor Alias() => Wrap(Native.wb_alias(Handle));
}
