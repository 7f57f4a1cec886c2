using Workbench.Torch;

namespace Workbench.Diffusion;

/// <summary>
/// Euler steps along the rectified-flow ODE dx/dt = v(x, t): x_s = x_t + (s − t)·v. One model call per
/// step; optionally leaps to t = 0 early (<see cref="LinearProportionalLeap"/>).
/// </summary>
public sealed class EulerSampler(DiffusionObjective objective, LinearProportionalLeap? leap = null) : FlowSampler(objective, leap)
{
    public override StepOutput Step(DiffusionModel model, Tensor x, int index, Generator? generator = null)
    {
        var (t, s) = Interval(index);
        var (x0, _, velocity) = Predict(model, x, t, index);
        if (ShouldLeap(velocity, index)) return new StepOutput(x - velocity * t, x0, 1, Finished: true);
        return new StepOutput(x + velocity * (s - t), x0, 1);
    }
}
