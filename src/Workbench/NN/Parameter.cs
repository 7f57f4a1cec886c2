using Workbench.Torch;

namespace Workbench.NN;

/// <summary>
/// A trainable tensor of a module (a leaf that requires grad). The module owns it, outside any dispose
/// scope; moving the module to another device or dtype swaps <see cref="Value"/> in place, so layers and
/// optimizers that hold the Parameter keep seeing the current tensor.
/// </summary>
public sealed class Parameter : IDisposable
{
    private Tensor _value;

    public Parameter(Tensor value, bool requiresGrad = true)
    {
        _value = Adopt(value, requiresGrad);
    }

    public Tensor Value
    {
        get => _value;
        set
        {
            if (ReferenceEquals(value, _value)) return;
            var old = _value;
            _value = Adopt(value, old.RequiresGrad);
            old.Dispose();
        }
    }

    public long[] Shape => _value.Shape;
    public long NumEl => _value.NumEl;
    public Tensor? Grad { get => _value.Grad; set => _value.Grad = value; }

    // A parameter is a detached leaf owned by no scope.
    private static Tensor Adopt(Tensor t, bool requiresGrad)
    {
        var leaf = t.IsLeaf ? t : t.Detach();
        if (!ReferenceEquals(leaf, t)) t.Dispose();
        leaf.DetachFromScope();
        leaf.RequiresGrad = requiresGrad;
        return leaf;
    }

    public static implicit operator Tensor(Parameter p) => p?._value!;

    public void Dispose() => _value.Dispose();

    public override string ToString() => $"Parameter {Tensor.FormatShape(_value.Shape)} {_value.DType.Name()} {_value.Device}";
}
