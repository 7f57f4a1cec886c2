namespace Workbench.Diffusion;

/// <summary>Which β schedule a <see cref="NoiseSchedule"/> is built from.</summary>
public enum ScheduleKind
{
    /// <summary>β linear from <see cref="NoiseScheduleConfig.BetaStart"/> to <see cref="NoiseScheduleConfig.BetaEnd"/> (Ho et al. 2020).</summary>
    Linear,
    /// <summary>ᾱ = cos² schedule of Nichol &amp; Dhariwal 2021, eq. 17.</summary>
    Cosine,
}

/// <summary>A discrete noise schedule's settings; the defaults are DDPM's (1000 steps, β from 1e-4 to 0.02).</summary>
public sealed record NoiseScheduleConfig(
    ScheduleKind Kind = ScheduleKind.Linear,
    int TrainSteps = 1000,
    double BetaStart = 1e-4,
    double BetaEnd = 0.02,
    double CosineOffset = 0.008,
    bool ZeroTerminalSnr = false)
{
    public static NoiseScheduleConfig Cosine => new(ScheduleKind.Cosine);

    public NoiseSchedule Build()
    {
        var schedule = Kind switch
        {
            ScheduleKind.Linear => NoiseSchedule.Linear(TrainSteps, BetaStart, BetaEnd),
            ScheduleKind.Cosine => NoiseSchedule.Cosine(TrainSteps, CosineOffset),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "unknown schedule kind"),
        };
        return ZeroTerminalSnr ? schedule.WithZeroTerminalSnr() : schedule;
    }
}

/// <summary>
/// ᾱ_t of a discrete diffusion, for timestep indices t = 0 .. T−1 (index t is the papers' step t + 1;
/// x_t = √ᾱ_t·x0 + √(1−ᾱ_t)·ε). Kept as float64 arrays: they are small and every sampler reads scalars.
/// </summary>
public sealed class NoiseSchedule
{
    private readonly double[] _alphaBar;

    private NoiseSchedule(double[] alphaBar) => _alphaBar = alphaBar;

    /// <summary>A schedule from its β_t (each in (0, 1]).</summary>
    public static NoiseSchedule FromBetas(ReadOnlySpan<double> betas)
    {
        if (betas.Length == 0) throw new ArgumentException("a noise schedule needs at least one β", nameof(betas));
        var alphaBar = new double[betas.Length];
        double product = 1;
        for (int t = 0; t < betas.Length; t++)
        {
            if (!(betas[t] > 0 && betas[t] <= 1))
                throw new ArgumentOutOfRangeException(nameof(betas), $"β[{t}] = {betas[t]} is outside (0, 1]");
            product *= 1 - betas[t];
            alphaBar[t] = product;
        }
        return new NoiseSchedule(alphaBar);
    }

    /// <summary>β_t linear from <paramref name="betaStart"/> to <paramref name="betaEnd"/> over <paramref name="steps"/> steps (Ho et al. 2020).</summary>
    public static NoiseSchedule Linear(int steps = 1000, double betaStart = 1e-4, double betaEnd = 0.02)
    {
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "a schedule needs at least one step");
        if (!(betaStart > 0 && betaStart <= betaEnd && betaEnd < 1))
            throw new ArgumentOutOfRangeException(nameof(betaStart), $"need 0 < betaStart ≤ betaEnd < 1, got betaStart = {betaStart}, betaEnd = {betaEnd}");
        var betas = new double[steps];
        for (int t = 0; t < steps; t++)
            betas[t] = steps == 1 ? betaStart : betaStart + (betaEnd - betaStart) * t / (steps - 1);
        return FromBetas(betas);
    }

    /// <summary>
    /// Nichol &amp; Dhariwal 2021, eq. 17: ᾱ(t) = f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s)·π/2), with
    /// β_t = 1 − ᾱ(t)/ᾱ(t−1) clipped to <paramref name="maxBeta"/> (0.999) so the last step is not singular.
    /// </summary>
    public static NoiseSchedule Cosine(int steps = 1000, double offset = 0.008, double maxBeta = 0.999)
    {
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "a schedule needs at least one step");
        if (!(offset >= 0)) throw new ArgumentOutOfRangeException(nameof(offset), offset, "the cosine offset s must be >= 0");
        if (!(maxBeta > 0 && maxBeta <= 1)) throw new ArgumentOutOfRangeException(nameof(maxBeta), maxBeta, "maxBeta must be in (0, 1]");
        double F(double u) => Math.Pow(Math.Cos((u + offset) / (1 + offset) * Math.PI / 2), 2);
        var betas = new double[steps];
        for (int t = 0; t < steps; t++)
            betas[t] = Math.Min(1 - F((t + 1.0) / steps) / F((double)t / steps), maxBeta);
        return FromBetas(betas);
    }

    /// <summary>Number of training timesteps T.</summary>
    public int Length => _alphaBar.Length;

    /// <summary>ᾱ_t for t = 0 .. T−1.</summary>
    public IReadOnlyList<double> AlphaBar => _alphaBar;

    /// <summary>β_t = 1 − ᾱ_t/ᾱ_{t−1} (β_0 = 1 − ᾱ_0).</summary>
    public double[] Betas()
    {
        var betas = new double[_alphaBar.Length];
        for (int t = 0; t < betas.Length; t++) betas[t] = 1 - _alphaBar[t] / (t == 0 ? 1 : _alphaBar[t - 1]);
        return betas;
    }

    /// <summary>
    /// Lin et al. 2023, Algorithm 1: shifts and scales √ᾱ so that √ᾱ_{T−1} = 0 (pure noise at the last
    /// step: zero terminal SNR) while √ᾱ_0 keeps its value. Pair it with v-prediction: ε-prediction cannot
    /// recover x0 where ᾱ = 0.
    /// </summary>
    public NoiseSchedule WithZeroTerminalSnr()
    {
        int last = _alphaBar.Length - 1;
        double first = Math.Sqrt(_alphaBar[0]), final = Math.Sqrt(_alphaBar[last]);
        if (last == 0 || first == final)
            throw new InvalidOperationException("zero-terminal-SNR rescaling needs a schedule whose ᾱ falls from its first to its last step");
        var alphaBar = new double[_alphaBar.Length];
        for (int t = 0; t <= last; t++)
        {
            double rescaled = (Math.Sqrt(_alphaBar[t]) - final) * first / (first - final);
            alphaBar[t] = rescaled * rescaled;
        }
        return new NoiseSchedule(alphaBar);
    }
}
