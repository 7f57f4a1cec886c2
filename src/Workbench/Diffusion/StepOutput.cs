using Workbench.Torch;

namespace Workbench.Diffusion;

/// <summary>
/// What one <see cref="Sampler.Step"/> produced: the next sample, the x0 estimate, the model calls it
/// made, and whether it finished the run early (a leap to the clean end).
/// </summary>
public sealed record StepOutput(Tensor X, Tensor PredictedX0, int ModelCalls, bool Finished = false);
