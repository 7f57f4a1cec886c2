using Workbench.Torch;

namespace Workbench.Diffusion;

/// <summary>
/// One step of a sampling trace (what the CLI progress bar, notebooks and the denoising animation read).
/// Step <see cref="Index"/> evaluated the model at time <see cref="T"/> and moved the sample to
/// <see cref="NextT"/>; <see cref="X"/> is the sample there, <see cref="PredictedX0"/> the model's
/// estimate of the clean sample at T. The last step's X is the finished sample.
/// <para>
/// Ownership: X and PredictedX0 belong to the consumer. They are fresh handles, registered in the
/// <see cref="DisposeScope"/> that is current when the consumer asks for the step (or in none), and they
/// stay valid after the run goes on or ends. Dispose them (or the step) when done to keep memory flat;
/// disposing them never disturbs the run. Treat them as read-only (Clone() before editing in place):
/// X shares storage with the sampler's state.
/// </para>
/// </summary>
/// <param name="Index">0-based step index.</param>
/// <param name="Steps">Steps planned for the run (a leap ends it early).</param>
/// <param name="T">Model time the step started from.</param>
/// <param name="NextT">Model time of <see cref="X"/> (the clean end after the last step).</param>
/// <param name="X">The sample after this step.</param>
/// <param name="PredictedX0">The model's x0 estimate at <see cref="T"/>.</param>
/// <param name="ModelCalls">Model calls made so far in this run (one call may carry a guided batch of 2B).</param>
/// <param name="SavedModelCalls">Calls a Linear Proportional Leap skipped (on its leap step; 0 otherwise).</param>
/// <param name="IsLast">True on the step that finishes the run.</param>
public sealed record SampleStep(
    int Index,
    int Steps,
    double T,
    double NextT,
    Tensor X,
    Tensor PredictedX0,
    int ModelCalls,
    int SavedModelCalls,
    bool IsLast) : IDisposable
{
    /// <summary>Disposes <see cref="X"/> and <see cref="PredictedX0"/>.</summary>
    public void Dispose()
    {
        X.Dispose();
        PredictedX0.Dispose();
    }
}
