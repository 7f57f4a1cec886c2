using Workbench.Torch;

namespace Workbench.Diffusion;

/// <summary>
/// Heun's second-order method on the rectified-flow ODE (Karras et al. 2022, Algorithm 1): an Euler
/// predictor, then the average of the velocities at both ends. Two model calls per step, except the last
/// step (to t = 0), which is a plain Euler step as in Karras et al. Optionally leaps (<see cref="LinearProportionalLeap"/>).
/// </summary>
public sealed class HeunSampler(DiffusionObjective objective, LinearProportionalLeap? leap = null) : FlowSampler(objective, leap)
{
    public override int PlannedModelCalls => Math.Max(2 * Steps - 1, 0);

    public override StepOutput Step(DiffusionModel model, Tensor x, int index, Generator? generator = null)
    {
        var (t, s) = Interval(index);
        var (x0, _, velocity) = Predict(model, x, t, index);
        if (ShouldLeap(velocity, index)) return new StepOutput(x - velocity * t, x0, 1, Finished: true);
        var euler = x + velocity * (s - t);
        if (s == 0) return new StepOutput(euler, x0, 1);
        var (_, _, velocityAtS) = Predict(model, euler, s, index);
        return new StepOutput(x + (velocity + velocityAtS) * ((s - t) / 2), x0, 2);
    }
}
