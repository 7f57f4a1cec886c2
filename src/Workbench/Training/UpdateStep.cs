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
        double value = Backward(loss, step, kept: kept);
        return (value, Update(model, optimizer, step, value, clipNorm, ema, kept));
    }

    /// <summary>
    /// Checks one micro-batch's loss and back-propagates <paramref name="loss"/> · <paramref name="scale"/>;
    /// gradients add up over the micro-batches of a step (scale 1/N makes N micro-batches one mean). Returns the
    /// unscaled loss.
    /// </summary>
    public static double Backward(Tensor loss, long step, double scale = 1, string kept = "")
    {
        double value = loss.Item<double>();
        if (!double.IsFinite(value))
            throw new InvalidOperationException($"training diverged at step {step}: loss is {value}{Tail(kept)}");
        if (scale == 1) loss.Backward();
        else loss.Mul(scale).Backward();
        return value;
    }

    /// <summary>
    /// From accumulated gradients to updated weights: checks every gradient, clips, steps the optimizer, updates
    /// the EMA and clears the gradients. Returns the gradient norm before clipping.
    /// </summary>
    public static double Update(Module model, AdamW optimizer, long step, double loss, double clipNorm = 1.0, Ema? ema = null, string kept = "")
    {
        if (Gradients.FirstNonFinite(model.NamedParameters()) is { } bad)
            throw new InvalidOperationException($"training diverged at step {step}: the gradient of {bad} is not finite (loss {loss}){Tail(kept)}");
        double norm = Gradients.ClipNorm(model.Parameters(), clipNorm);
        optimizer.Step();
        ema?.Update();
        model.ZeroGrad();
        return norm;
    }

    private static string Tail(string kept) => kept.Length > 0 ? "; " + kept : "";
}
