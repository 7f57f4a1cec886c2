using System.Runtime.InteropServices;

namespace Workbench.Torch;

/// <summary>
/// A number passed to an op: an integer or a floating value, kept apart so that integer tensors stay
/// integer (<c>t + 2</c>) and promote only when they meet a float (<c>t + 2.5</c>), as in PyTorch.
/// Laid out exactly like the bridge's <c>wb_scalar</c>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Scalar
{
    private readonly double _double;
    private readonly long _long;
    private readonly int _isInt;

    private Scalar(double d, long l, bool isInt) => (_double, _long, _isInt) = (d, l, isInt ? 1 : 0);

    public bool IsInteger => _isInt != 0;
    public double ToDouble() => IsInteger ? _long : _double;

    public static implicit operator Scalar(double d) => new(d, 0, false);
    public static implicit operator Scalar(float f) => new(f, 0, false);
    public static implicit operator Scalar(long l) => new(0, l, true);
    public static implicit operator Scalar(int i) => new(0, i, true);
    public static implicit operator Scalar(bool b) => new(0, b ? 1 : 0, true);

    public override string ToString() => IsInteger ? _long.ToString() : _double.ToString("R");
}
