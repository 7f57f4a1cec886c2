using Workbench.Torch;

namespace Workbench.Diffusion;

/// <summary>
/// A model that changes with the step of a sampling run: calls during the first steps go to one model, later calls
/// to another. Temporal token merging (On-device Sora) uses it to run the cheaper, merged pass while the sample is
/// still mostly noise and the full pass for the steps that shape details.
/// </summary>
public static class EarlySteps
{
    /// <summary>The first round(<paramref name="fraction"/>·<paramref name="steps"/>) steps, fraction in [0, 1].</summary>
    public static int Count(double fraction, int steps)
    {
        if (!(fraction >= 0 && fraction <= 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "the fraction of steps must be in [0, 1]");
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be positive");
        return (int)Math.Round(fraction * steps, MidpointRounding.AwayFromZero);
    }

    /// <summary>
    /// Calls made during the first <paramref name="count"/> steps of a run over <paramref name="timesteps"/> (the
    /// sampler's <see cref="Sampler.Timesteps"/>, or <c>objective.SamplingTimes(steps)</c>) go to
    /// <paramref name="early"/>, the rest to <paramref name="late"/>. The model sees only x and t, so a call counts as
    /// early when its t lies above the midpoint of Timesteps[count − 1] and Timesteps[count] (times fall along a run):
    /// a second-order sampler's corrector call at Timesteps[count] is already late.
    /// </summary>
    public static DiffusionModel Switch(DiffusionModel early, DiffusionModel late, IReadOnlyList<double> timesteps, int count)
    {
        ArgumentNullException.ThrowIfNull(early);
        ArgumentNullException.ThrowIfNull(late);
        int steps = timesteps.Count - 1;
        if (steps < 1) throw new ArgumentException($"a run needs at least 2 timesteps, got {timesteps.Count}", nameof(timesteps));
        for (int i = 0; i < steps; i++)
            if (!(timesteps[i + 1] < timesteps[i])) throw new ArgumentException($"timesteps must fall along the run; {timesteps[i]} is followed by {timesteps[i + 1]}", nameof(timesteps));
        if (count < 0 || count > steps) throw new ArgumentOutOfRangeException(nameof(count), count, $"the early steps must be in [0, {steps}]");
        if (count == 0) return late;
        if (count == steps) return early;
        double boundary = (timesteps[count - 1] + timesteps[count]) / 2;
        return (x, t) =>
        {
            using var first = t.Reshape(-1).Narrow(0, 0, 1);
            return first.Item<double>() > boundary ? early(x, t) : late(x, t);
        };
    }
}
