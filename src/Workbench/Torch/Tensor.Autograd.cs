namespace Workbench.Torch;

// Autograd: gradients flow back from a scalar (or a given gradient) to tensors that require them.
public sealed partial class Tensor
{
    public bool RequiresGrad
    {
        get => CheckedCount(Native.wb_requires_grad(Handle)) == 1;
        set => Check(Native.wb_set_requires_grad(Handle, value ? 1 : 0));
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this (torch.Tensor.requires_grad_).</summary>
    public Tensor RequiresGrad_(bool on = true)
    {
        RequiresGrad = on;
        return this;
    }

    /// <summary>True for tensors created by the user (not by an op that records history).</summary>
    public bool IsLeaf => CheckedCount(Native.wb_is_leaf(Handle)) == 1;

    /// <summary>Keeps the gradient of a non-leaf tensor after backward.</summary>
    public void RetainGrad() => Check(Native.wb_retain_grad(Handle));

    /// <summary>
    /// Back-propagates from this tensor. A non-scalar needs <paramref name="gradient"/> (d loss / d this);
    /// <paramref name="retainGraph"/> keeps the graph for another backward.
    /// </summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false, bool createGraph = false)
    {
        if (gradient is null && NumEl != 1)
            throw new InvalidOperationException($"Backward without a gradient needs a one-element tensor, this one has shape {FormatShape(ShapeNoCopy)}");
        Check(Native.wb_backward(Handle, gradient?.Handle ?? TensorHandle.Null, retainGraph ? 1 : 0, createGraph ? 1 : 0));
    }

    /// <summary>The accumulated gradient (a new handle to it), or null before any backward. Set null to clear.</summary>
    public Tensor? Grad
    {
        get
        {
            Check(Native.wb_grad(Handle, out var raw));
            return raw == IntPtr.Zero ? null : new Tensor(new TensorHandle(raw));
        }
        set => Check(Native.wb_set_grad(Handle, value?.Handle ?? TensorHandle.Null));
    }

    /// <summary>The same data, cut from the autograd graph.</summary>
    public Tensor Detach() => Wrap(Native.wb_detach(Handle));
}

/// <summary>
/// Turns gradient recording off (or on) for this thread until disposed (torch.no_grad):
/// <code>using (new NoGrad()) { ... }</code>
/// </summary>
public sealed class NoGrad : IDisposable
{
    private readonly bool _previous;
    private bool _disposed;

    public NoGrad() : this(enabled: false) { }

    /// <summary>Sets grad mode to <paramref name="enabled"/> (EnableGrad when true).</summary>
    public NoGrad(bool enabled)
    {
        _previous = IsGradEnabled;
        Native.wb_set_grad_enabled(enabled ? 1 : 0);
    }

    public static bool IsGradEnabled => Native.wb_grad_enabled() == 1;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Native.wb_set_grad_enabled(_previous ? 1 : 0);
    }
}
