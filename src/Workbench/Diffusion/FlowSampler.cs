using Workbench.Torch;

namespace Workbench.Diffusion;

/// <summary>
/// Base of the rectified-flow samplers (Euler, Heun): checks the objective and carries the optional
/// <see cref="LinearProportionalLeap"/> state (the previous step's velocity).
/// </summary>
public abstract class FlowSampler : Sampler
{
    private Tensor? _previousVelocity;

    protected FlowSampler(DiffusionObjective objective, LinearProportionalLeap? leap) : base(objective)
    {
        if (objective.Prediction != Prediction.Velocity)
            throw new ArgumentException($"{GetType().Name} integrates the rectified-flow ODE dx/dt = v and needs a velocity objective " +
                $"(RectifiedFlowObjective), got {objective.Prediction}-prediction; use DdimSampler (eta 0) or DpmPlusPlus2MSampler", nameof(objective));
        leap?.Validate();
        Leap = leap;
    }

    public LinearProportionalLeap? Leap { get; }

    /// <summary>Cosine similarity between this step's and the previous step's velocity, when a leap is configured and there is a previous one.</summary>
    public double? LastCosine { get; private set; }

    public override void Reset()
    {
        _previousVelocity?.Dispose();
        _previousVelocity = null;
        LastCosine = null;
    }

    /// <summary>
    /// Records <paramref name="velocity"/> (the first prediction of step <paramref name="index"/>) and says
    /// whether to leap to t = 0 now.
    /// </summary>
    protected bool ShouldLeap(Tensor velocity, int index)
    {
        if (Leap is null || index == Steps - 1) return false;
        double? cosine = _previousVelocity is null ? null : LinearProportionalLeap.CosineSimilarity(velocity, _previousVelocity);
        _previousVelocity?.Dispose();
        _previousVelocity = velocity.Alias().DetachFromScope();
        LastCosine = cosine;
        return cosine > Leap.CosineThreshold && index >= Leap.MinProgress * Steps;
    }
}
