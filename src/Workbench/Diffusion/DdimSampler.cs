using Workbench.Torch;

namespace Workbench.Diffusion;

/// <summary>
/// DDIM (Song et al. 2021, eq. 12): x_s = α_s·x̂0 + √(σ_s² − c²)·ε̂ + c·z, with c = η·σ_s·√(1 − r²),
/// r = α_t·σ_s / (α_s·σ_t) (eq. 16 in α/σ form). η = 0 is the deterministic probability-flow ODE
/// (first-order), η = 1 draws from the same posterior as DDPM. <see cref="Invert"/> runs the ODE backwards.
/// </summary>
public sealed class DdimSampler : Sampler
{
    public DdimSampler(DiffusionObjective objective, double eta = 0) : base(objective)
    {
        if (!(eta >= 0 && eta <= 1)) throw new ArgumentOutOfRangeException(nameof(eta), eta, "DDIM's eta must be in [0, 1] (0: deterministic, 1: DDPM's posterior)");
        Eta = eta;
    }

    public double Eta { get; }

    public override StepOutput Step(DiffusionModel model, Tensor x, int index, Generator? generator = null)
    {
        var (t, s) = Interval(index);
        var (x0, noise, _) = Predict(model, x, t, index);
        var (alphaT, sigmaT) = Objective.NoiseLevel(t);
        var (alphaS, sigmaS) = Objective.NoiseLevel(s);
        double r = alphaT * sigmaS / (alphaS * sigmaT);
        double c = Eta * sigmaS * Math.Sqrt(1 - r * r);
        var next = x0 * alphaS + noise * (sigmaS * Math.Sqrt(1 - Eta * Eta * (1 - r * r)));
        if (c > 0) next = next + Tensor.RandnLike(x, generator) * c;
        return new StepOutput(next, x0, 1);
    }

    /// <summary>
    /// DDIM inversion: runs the η = 0 ODE from clean <paramref name="x0"/> back to noise over the same
    /// <paramref name="steps"/> timesteps, so that sampling the result gives x0 back (to discretisation
    /// error). Each backward step from s to t asks the model at time t, as the forward step does, and
    /// re-anchors x̂0 at the current level: x̂0 = (x_s − σ_s·ε̂)/α_s, x_t = α_t·x̂0 + σ_t·ε̂.
    /// </summary>
    public Tensor Invert(DiffusionModel model, Tensor x0, int steps, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (x0.Rank < 1 || !x0.DType.IsFloatingPoint())
            throw new ArgumentException($"x0 must be a floating tensor with a batch dimension, got {x0.DType.Name()} of shape {Tensor.FormatShape(x0.Shape)}", nameof(x0));
        SetTimesteps(steps);
        var x = x0.Alias().DetachFromScope();
        try
        {
            for (int i = Steps - 1; i >= 0; i--)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = DisposeScope.Enter();
                using var noGrad = new NoGrad();
                var (t, s) = Interval(i);
                var (_, noise, _) = Predict(model, x, t, i);
                var (alphaT, sigmaT) = Objective.NoiseLevel(t);
                var (alphaS, sigmaS) = Objective.NoiseLevel(s);
                var x0Hat = (x - noise * sigmaS) / alphaS;
                var next = (x0Hat * alphaT + noise * sigmaT).Alias().DetachFromScope();
                x.Dispose();
                x = next;
            }
            var result = x.Alias();
            return result;
        }
        finally
        {
            x.Dispose();
        }
    }
}
