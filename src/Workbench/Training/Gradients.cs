using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Training;

public static class Gradients
{
    /// <summary>
    /// Scales all gradients so their joint L2 norm is at most <paramref name="maxNorm"/>
    /// (torch.nn.utils.clip_grad_norm_); returns the norm before clipping.
    /// </summary>
    public static double ClipNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var grads = parameters.Select(p => p.Grad).Where(g => g is not null).Cast<Tensor>().ToList();
        if (grads.Count == 0) return 0;
        var squares = grads.Select(g => g.To(DType.Float32).Square().Sum()).ToList();
        double norm = Math.Sqrt(Tensor.Stack(squares).Sum().Item<double>());
        if (double.IsFinite(norm) && norm > maxNorm)
            foreach (var g in grads) g.Mul_(maxNorm / (norm + 1e-6));
        return norm;
    }

    /// <summary>The first parameter whose gradient holds NaN or ±∞, or null.</summary>
    public static string? FirstNonFinite(IEnumerable<(string Name, Parameter Parameter)> parameters)
    {
        using var scope = DisposeScope.Enter();
        foreach (var (name, p) in parameters)
            if (p.Grad is { } g && !g.IsFinite().All().Item<long>().Equals(1L)) return name;
        return null;
    }
}
