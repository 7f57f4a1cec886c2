using Workbench.Torch;

namespace Workbench.Diffusion;

/// <summary>
/// DDPM ancestral sampling (Ho et al. 2020, Algorithm 2) with any number of steps: each step draws
/// x_s ~ q(x_s | x_t, x̂0), the Gaussian posterior of the forward process between t and the next time s.
/// Written for any path x_t = α_t·x0 + σ_t·ε (that posterior as in Kingma et al. 2021, VDM); on a DDPM
/// schedule it is Ho et al.'s eq. 6–7 with β̃ as the variance. Stochastic: pass a seeded generator to repeat a run.
/// </summary>
public sealed class DdpmSampler(DiffusionObjective objective) : Sampler(objective)
{
    public override StepOutput Step(DiffusionModel model, Tensor x, int index, Generator? generator = null)
    {
        var (t, s) = Interval(index);
        var (x0, _, _) = Predict(model, x, t, index);
        var (alphaT, sigmaT) = Objective.NoiseLevel(t);
        var (alphaS, sigmaS) = Objective.NoiseLevel(s);
        double alphaTS = alphaT / alphaS;                                      // x_t | x_s = α_ts·x_s + σ_ts·ε
        double varianceTS = sigmaT * sigmaT - alphaTS * alphaTS * sigmaS * sigmaS;
        double coefX = alphaTS * sigmaS * sigmaS / (sigmaT * sigmaT);
        double coefX0 = alphaS * varianceTS / (sigmaT * sigmaT);
        double std = Math.Sqrt(varianceTS * sigmaS * sigmaS / (sigmaT * sigmaT));
        var mean = x * coefX + x0 * coefX0;
        var next = std > 0 ? mean + Tensor.RandnLike(x, generator) * std : mean;
        return new StepOutput(next, x0, 1);
    }
}
