using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Training;

/// <summary>What an optimizer step reads back from the device, all in one transfer.</summary>
/// <param name="Loss">The step's loss (the mean over its micro-batches).</param>
/// <param name="GradNorm">The joint gradient norm before clipping.</param>
/// <param name="Terms">The values of the extra terms the trainer asked for, in its order.</param>
public readonly record struct StepValues(double Loss, double GradNorm, IReadOnlyList<double> Terms);

/// <summary>
/// The part of a training step every trainer shares, from a computed loss to updated weights. A step reads the
/// device once: the loss, the gradient norm and any logged terms come back together, and everything else (the
/// NaN/∞ guard's reduction, the clipping coefficient, AdamW) stays on the device, so on CUDA the host can queue
/// the next kernels while the device works.
/// </summary>
public static class UpdateStep
{
    /// <summary>
    /// Back-propagates, then <see cref="Update"/>: checks the loss and the gradients, clips the gradient norm, steps
    /// the optimizer, updates the EMA (if any) and clears the gradients. A NaN/∞ loss or gradient stops training
    /// with an exception naming the step, the loss and the offending parameter (<paramref name="kept"/> says what
    /// survives, e.g. the last checkpoint). Returns the loss and the gradient norm before clipping.
    /// </summary>
    public static (double Loss, double GradNorm) Apply(Tensor loss, Module model, AdamW optimizer, long step,
        double clipNorm = 1.0, Ema? ema = null, string kept = "")
    {
        using var scope = DisposeScope.Enter();
        var values = Update(model, optimizer, step, Backward(loss), clipNorm, ema, kept);
        return (values.Loss, values.GradNorm);
    }

    /// <summary>
    /// Back-propagates one micro-batch's <paramref name="loss"/> · <paramref name="scale"/>; gradients add up over
    /// the micro-batches of a step (scale 1/N makes N micro-batches one mean). Returns the unscaled loss, detached and
    /// still on the device: nothing is read here (<see cref="Update"/> checks it).
    /// </summary>
    public static Tensor Backward(Tensor loss, double scale = 1)
    {
        if (scale == 1) loss.Backward();
        else loss.Mul(scale).Backward();
        return loss.Detach();
    }

    /// <summary>
    /// From accumulated gradients to updated weights. Reads <paramref name="loss"/>, the gradient norm and
    /// <paramref name="terms"/> (one-element tensors, e.g. a VAE's reconstruction and KL) in one transfer; a NaN/∞
    /// loss or gradient norm stops training before the update, with an exception naming the step, the loss and the
    /// offending parameter (searched only then). Then clips on the device, steps the optimizer, updates the EMA and
    /// clears the gradients.
    /// </summary>
    public static StepValues Update(Module model, AdamW optimizer, long step, Tensor loss, double clipNorm = 1.0, Ema? ema = null,
        string kept = "", IReadOnlyList<Tensor>? terms = null)
    {
        using var scope = DisposeScope.Enter();
        var parameters = model.Parameters().ToList();
        var norm = Gradients.TotalNorm(parameters);        // NaN/∞ iff some gradient is: the one check for all of them
        var values = ReadTogether([loss, norm, .. terms ?? []]);
        double lossValue = values[0], normValue = values[1];
        if (!double.IsFinite(lossValue))
            throw new InvalidOperationException($"training diverged at step {step}: loss is {lossValue}{Tail(kept)}");
        if (!double.IsFinite(normValue))
        {
            string what = Gradients.FirstNonFinite(model.NamedParameters()) is { } bad
                ? $"the gradient of {bad} is not finite"
                : $"the gradient norm is {normValue} (finite gradients too large for float32)";
            throw new InvalidOperationException($"training diverged at step {step}: {what} (loss {lossValue}){Tail(kept)}");
        }
        Gradients.ClipToNorm(parameters, norm, clipNorm);
        optimizer.Step();
        ema?.Update();
        model.ZeroGrad();
        return new StepValues(lossValue, normValue, values[2..]);
    }

    // Every read of a device value waits for the device to finish: stack the step's scalars and read them at once.
    private static double[] ReadTogether(IReadOnlyList<Tensor> scalars)
    {
        var device = scalars[0].Device;
        foreach (var s in scalars)
            if (s.NumEl != 1) throw new ArgumentException($"a step reads one-element tensors, got shape {Tensor.FormatShape(s.Shape)}", nameof(scalars));
        return Tensor.Stack(scalars.Select(s => s.Reshape([]).To(DType.Float64, device)).ToList()).ToArray<double>();
    }

    private static string Tail(string kept) => kept.Length > 0 ? "; " + kept : "";
}
