using System.Runtime.InteropServices;

namespace Workbench.Torch;

/// <summary>Owns one native tensor handle (an <c>at::Tensor*</c> in the bridge); releases it exactly once.</summary>
public sealed class TensorHandle : SafeHandle
{
    /// <summary>A never-released null handle, passed where a native argument is an optional tensor.</summary>
    internal static readonly TensorHandle Null = new();

    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    internal TensorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    // Native bytes reported to the GC for tensors outside dispose scopes, so that undisposed tensors
    // still get collected under memory load (the GC does not see libtorch's allocations).
    private long _pressure;

    internal void AddMemoryPressure()
    {
        if (_pressure != 0 || IsInvalid || IsClosed) return;
        long bytes = Native.wb_nbytes(this);
        if (bytes <= 0) return;
        _pressure = bytes;
        GC.AddMemoryPressure(bytes);
    }

    protected override bool ReleaseHandle()
    {
        Native.wb_free(handle);
        if (_pressure > 0) GC.RemoveMemoryPressure(_pressure);
        return true;
    }
}
