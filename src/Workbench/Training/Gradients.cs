using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Training;

public static class Gradients
{
    /// <summary>
    /// The joint L2 norm of all gradients (torch.nn.utils.clip_grad_norm_'s total norm) as a float32 scalar on their
    /// device; nothing is read back. It is NaN or ∞ when some gradient holds NaN or ±∞ (or when the gradients are too
    /// large for float32 squares), so one read of it checks them all. Zero when no parameter has a gradient.
    /// </summary>
    public static Tensor TotalNorm(IEnumerable<Parameter> parameters)
    {
        var grads = GradientsOf(parameters);
        if (grads.Count == 0) return Tensor.Zeros([]);
        return Tensor.WithRawHandles(grads, raw => Tensor.Wrap(Native.wb_total_norm(raw, raw.Length), "total_norm"));
    }

    /// <summary>
    /// Scales all gradients by min(1, maxNorm / (norm + 1e-6)), the coefficient computed on the device from
    /// <paramref name="norm"/> (their <see cref="TotalNorm"/>), so clipping never waits for the device.
    /// </summary>
    public static void ClipToNorm(IEnumerable<Parameter> parameters, Tensor norm, double maxNorm)
    {
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "the maximum gradient norm must be positive");
        var grads = GradientsOf(parameters);
        if (grads.Count == 0) return;
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var coefficient = (norm.To(DType.Float32) + 1e-6).Reciprocal().Mul(maxNorm).ClampMax(1); // as clip_grad_norm_ computes it
        Tensor.WithRawHandles(grads, raw => Tensor.CheckedCount(Native.wb_foreach_mul_tensor_(raw, raw.Length, coefficient.Handle), "foreach_mul_"));
    }

    /// <summary>
    /// Scales all gradients so their joint L2 norm is at most <paramref name="maxNorm"/>
    /// (torch.nn.utils.clip_grad_norm_); returns the norm before clipping (one read). A NaN/∞ norm leaves the
    /// gradients as they are.
    /// </summary>
    public static double ClipNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        using var scope = DisposeScope.Enter();
        var list = parameters.ToList();
        var norm = TotalNorm(list);
        double value = norm.Item<double>();
        if (double.IsFinite(value)) ClipToNorm(list, norm, maxNorm);
        return value;
    }

    private static List<Tensor> GradientsOf(IEnumerable<Parameter> parameters) =>
        parameters.Select(p => p.Grad).OfType<Tensor>().ToList();

    /// <summary>The first parameter whose gradient holds NaN or ±∞, or null (one read per parameter: for naming a failure, not for every step).</summary>
    public static string? FirstNonFinite(IEnumerable<(string Name, Parameter Parameter)> parameters)
    {
        using var scope = DisposeScope.Enter();
        foreach (var (name, p) in parameters)
            if (p.Grad is { } g && !g.IsFinite().All().Item<long>().Equals(1L)) return name;
        return null;
    }
}
