using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Training;

/// <summary>The part of a training step every trainer shares, from a computed loss to updated weights.</summary>
public static class UpdateStep
{
    /// <summary>
    /// Checks the loss, back-propagates, checks every gradient, clips the gradient norm, steps the optimizer,
    /// updates the EMA (if any) and clears the gradients. A NaN/∞ loss or gradient stops training with an
    /// exception naming the step, the loss and the offending parameter (<paramref name="kept"/> says what
    /// survives, e.g. the last checkpoint). Returns the loss and the gradient norm before clipping.
    /// </summary>
    public static (double Loss, double GradNorm) Apply(Tensor loss, Module model, AdamW optimizer, long step,
        double clipNorm = 1.0, Ema? ema = null, string kept = "")
    {
        double value = loss.Item<double>();
        string tail = kept.Length > 0 ? "; " + kept : "";
        if (!double.IsFinite(value))
            throw new InvalidOperationException($"training diverged at step {step}: loss is {value}{tail}");
        loss.Backward();
        if (Gradients.FirstNonFinite(model.NamedParameters()) is { } bad)
            throw new InvalidOperationException($"training diverged at step {step}: the gradient of {bad} is not finite (loss {value}){tail}");
        double norm = Gradients.ClipNorm(model.Parameters(), clipNorm);
        optimizer.Step();
        ema?.Update();
        model.ZeroGrad();
        return (value, norm);
    }
}
