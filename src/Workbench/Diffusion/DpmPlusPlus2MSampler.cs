using Workbench.Torch;

namespace Workbench.Diffusion;

/// <summary>
/// DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++", Algorithm 2): a second-order multistep solver of
/// the diffusion ODE in data prediction, in λ = log(α/σ):
/// x_s = (σ_s/σ_t)·x_t + α_s·(1 − e^{−h})·D, h = λ_s − λ_t, with D = x̂0 on the first step and
/// D = (1 + 1/(2r))·x̂0 − 1/(2r)·x̂0_prev, r = h_prev/h, after it. The step to the clean end returns x̂0
/// (first order there, as diffusers' lower_order_final). Works for ε-, v- and velocity objectives.
/// </summary>
public sealed class DpmPlusPlus2MSampler(DiffusionObjective objective) : Sampler(objective)
{
    private Tensor? _previousX0;
    private double _previousH;

    public override void Reset()
    {
        _previousX0?.Dispose();
        _previousX0 = null;
        _previousH = double.NaN;
    }

    public override StepOutput Step(DiffusionModel model, Tensor x, int index, Generator? generator = null)
    {
        var (t, s) = Interval(index);
        var (x0, _, _) = Predict(model, x, t, index);
        var (alphaT, sigmaT) = Objective.NoiseLevel(t);
        var (alphaS, sigmaS) = Objective.NoiseLevel(s);
        Tensor next;
        if (sigmaS == 0) next = x0.Alias();
        else
        {
            double h = Math.Log(alphaS / sigmaS) - Math.Log(alphaT / sigmaT); // +∞ when α_t = 0 (pure noise)
            double expMinusH = alphaT * sigmaS / (sigmaT * alphaS);
            var d = x0;
            if (_previousX0 is not null && index > 0)
            {
                double half = 1 / (2 * (_previousH / h)); // 0 after a step from pure noise (h_prev = ∞)
                d = x0 * (1 + half) - _previousX0 * half;
            }
            next = x * (sigmaS / sigmaT) + d * (alphaS * (1 - expMinusH));
            _previousH = h;
        }
        _previousX0?.Dispose();
        _previousX0 = x0.Alias().DetachFromScope();
        return new StepOutput(next, x0, 1);
    }
}
