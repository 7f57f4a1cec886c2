using System.Globalization;
using System.Text;

namespace Workbench.Torch;

// A readable preview in the spirit of PyTorch's repr: large dims show their first and last 3 entries.
public sealed partial class Tensor
{
    private const int PreviewEdge = 3;
    private const long PreviewThreshold = 1000;

    public override string ToString()
    {
        if (IsDisposed) return "Tensor(disposed)";
        var header = $"Tensor(shape={FormatShape(ShapeNoCopy)}, dtype={DType.Name()}, device={Device}{(RequiresGrad ? ", requires_grad" : "")})";
        return NumEl == 0 ? header + " []" : header + "\n" + FormatValues();
    }

    private string FormatValues()
    {
        bool summarize = NumEl > PreviewThreshold;
        using var scope = DisposeScope.Enter();
        var shown = Detach();
        var shape = ShapeNoCopy;
        if (summarize)
            for (int d = 0; d < shape.Length; d++)
                if (shape[d] > 2 * PreviewEdge)
                    shown = Cat([shown.Narrow(d, 0, PreviewEdge), shown.Narrow(d, shape[d] - PreviewEdge, PreviewEdge)], d);
        var values = shown.To(DType.Float64, Device.Cpu).ToArray<double>();
        var format = NumberFormat(values);
        var sb = new StringBuilder();
        var shownShape = shown.ShapeNoCopy;
        int offset = 0;
        Write(sb, values, shape, shownShape, 0, ref offset, summarize, format, 0);
        return sb.ToString();
    }

    private Func<double, string> NumberFormat(double[] values)
    {
        var inv = CultureInfo.InvariantCulture;
        static string Special(double v) => double.IsNaN(v) ? "nan" : v > 0 ? "inf" : "-inf"; // as PyTorch prints them
        if (DType == DType.Bool) return v => v != 0 ? "true" : "false";
        if (!DType.IsFloatingPoint()) return v => ((long)v).ToString(inv);
        var finite = values.Where(double.IsFinite).Select(Math.Abs).ToArray();
        double max = finite.Length > 0 ? finite.Max() : 0;
        double minNonZero = finite.Where(v => v > 0).DefaultIfEmpty(0).Min();
        if (finite.All(v => v == Math.Floor(v)) && max < 1e8) return v => double.IsFinite(v) ? v.ToString("0", inv) + "." : Special(v); // "1." as PyTorch prints (.NET drops a bare trailing point)
        if (max >= 1e8 || (minNonZero > 0 && minNonZero < 1e-4)) return v => double.IsFinite(v) ? v.ToString("0.0000e+00", inv) : Special(v);
        return v => double.IsFinite(v) ? v.ToString("0.0000", inv) : Special(v);
    }

    private static void Write(StringBuilder sb, double[] values, long[] shape, long[] shownShape, int dim, ref int offset,
        bool summarize, Func<double, string> format, int indent)
    {
        if (shape.Length == 0)
        {
            sb.Append(format(values[offset++]));
            return;
        }
        bool cut = summarize && shape[dim] > 2 * PreviewEdge;
        sb.Append('[');
        for (long i = 0; i < shownShape[dim]; i++)
        {
            if (i > 0)
            {
                sb.Append(dim == shape.Length - 1 ? ", " : ",\n" + new string(' ', indent + 1));
                if (cut && i == PreviewEdge) sb.Append(dim == shape.Length - 1 ? "..., " : "...,\n" + new string(' ', indent + 1));
            }
            if (dim == shape.Length - 1) sb.Append(format(values[offset++]));
            else Write(sb, values, shape, shownShape, dim + 1, ref offset, summarize, format, indent + 1);
        }
        sb.Append(']');
    }
}
