using Workbench.Torch;

namespace Workbench.Diffusion;

/// <summary>How a sampler picks its timesteps among the T training ones (Lin et al. 2023, §3.3).</summary>
public enum TimestepSpacing
{
    /// <summary>T−1, T−1−T/S, ...: the first step starts at the last timestep (needed for zero terminal SNR).</summary>
    Trailing,
    /// <summary>(S−1)·⌊T/S⌋, ..., 0: the DDIM paper's spacing (never visits t = T−1).</summary>
    Leading,
}

/// <summary>A discrete (DDPM-style) objective: ε- or v-prediction on a noise schedule.</summary>
public sealed record DdpmConfig(
    Prediction Prediction = Prediction.Epsilon,
    NoiseScheduleConfig? Schedule = null,
    TimestepSpacing Spacing = TimestepSpacing.Trailing)
{
    /// <summary>v-prediction on the cosine schedule rescaled to zero terminal SNR (Lin et al. 2023's recipe).</summary>
    public static DdpmConfig VZeroSnr => new(Prediction.V, new NoiseScheduleConfig(ScheduleKind.Cosine, ZeroTerminalSnr: true));
}

/// <summary>
/// DDPM noise prediction (Ho et al. 2020) or v-prediction (Salimans &amp; Ho 2022) on a discrete schedule:
/// x_t = √ᾱ_t·x0 + √(1−ᾱ_t)·ε. Model times are timestep indices 0 .. T−1 (as floating values); −1 stands
/// for the clean sample (ᾱ = 1), where sampling ends.
/// </summary>
public sealed class DdpmObjective : DiffusionObjective
{
    private readonly double[] _alphaBarFromClean; // [1, ᾱ_0, ..., ᾱ_{T−1}]: index t + 1

    public DdpmObjective(DdpmConfig? config = null) : this(config ?? new DdpmConfig(), (config?.Schedule ?? new NoiseScheduleConfig()).Build()) { }

    public DdpmObjective(DdpmConfig config, NoiseSchedule schedule) : base(config.Prediction)
    {
        if (config.Prediction == Prediction.Velocity)
            throw new ArgumentException("velocity prediction belongs to the rectified-flow path; use RectifiedFlowObjective", nameof(config));
        if (config.Prediction == Prediction.Epsilon && schedule.AlphaBar[^1] == 0)
            throw new ArgumentException("ε-prediction cannot recover x0 = (x − σε)/α where ᾱ = 0 (zero terminal SNR); use Prediction.V (Lin et al. 2023, §3.2)", nameof(config));
        Config = config;
        Schedule = schedule;
        _alphaBarFromClean = [1.0, .. schedule.AlphaBar];
    }

    public DdpmConfig Config { get; }
    public NoiseSchedule Schedule { get; }

    public override (double Alpha, double Sigma) NoiseLevel(double t)
    {
        double alphaBar = _alphaBarFromClean[Index(t)];
        return (Math.Sqrt(alphaBar), Math.Sqrt(1 - alphaBar));
    }

    protected override void CheckTimes(Tensor t)
    {
        double min = t.Min().Item<double>(), max = t.Max().Item<double>();
        if (min < -1 || max > Schedule.Length - 1 || !t.AllClose((t + 1).Round() - 1, 0, 1e-6))
            throw new ArgumentOutOfRangeException(nameof(t), $"timesteps must be integers in [-1, {Schedule.Length - 1}], got values in [{min}, {max}]");
    }

    protected override (Tensor Alpha, Tensor Sigma) NoiseLevels(Tensor t)
    {
        var indices = (t + 1).Round();
        var table = Tensor.From(_alphaBarFromClean).To(t.DType, t.Device);
        var alphaBar = table.IndexSelect(0, indices.Long());
        return (alphaBar.Sqrt(), (1 - alphaBar).Sqrt());
    }

    /// <summary>Uniform integer timesteps in [0, T) (Ho et al. 2020, Algorithm 1).</summary>
    public override Tensor SampleTimes(long batch, DType dtype, Device device, Generator? generator = null) =>
        Tensor.Randint(0, Schedule.Length, [batch], DType.Int64, device, generator).To(dtype);

    public override double[] SamplingTimes(int steps)
    {
        int total = Schedule.Length;
        if (steps <= 0 || steps > total)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"steps must be in [1, {total}] for a {total}-step schedule");
        var times = new double[steps + 1];
        for (int i = 0; i < steps; i++)
            times[i] = Config.Spacing == TimestepSpacing.Trailing
                ? Math.Round(total - i * (double)total / steps) - 1
                : (steps - 1 - i) * (total / steps);
        times[steps] = -1;
        return times;
    }

    private int Index(double t)
    {
        if (!(t >= -1 && t <= Schedule.Length - 1 && t == Math.Floor(t)))
            throw new ArgumentOutOfRangeException(nameof(t), t, $"a timestep must be an integer in [-1, {Schedule.Length - 1}]");
        return (int)t + 1;
    }
}
