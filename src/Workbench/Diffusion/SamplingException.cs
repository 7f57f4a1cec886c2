namespace Workbench.Diffusion;

/// <summary>A sampling run failed at one step (the model returned NaN/∞ or a wrongly shaped prediction).</summary>
public sealed class SamplingException(int step, double t, string message)
    : InvalidOperationException($"step {step} (t = {t}): {message}")
{
    /// <summary>The 0-based step index that failed.</summary>
    public int Step { get; } = step;

    /// <summary>The model time the failing call was made at.</summary>
    public double T { get; } = t;
}
