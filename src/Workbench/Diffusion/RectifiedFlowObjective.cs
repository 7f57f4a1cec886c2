using Workbench.Torch;

namespace Workbench.Diffusion;

/// <summary>How training draws t ∈ (0, 1) for rectified flow.</summary>
public enum TimeSampling
{
    Uniform,
    /// <summary>t = sigmoid(m + s·n), n ~ N(0, 1): more weight on the middle times (Esser et al. 2024, SD3, §3.1).</summary>
    LogitNormal,
}

/// <summary>Rectified-flow settings; the defaults are SD3's logit-normal(0, 1) with no shift.</summary>
public sealed record RectifiedFlowConfig(
    TimeSampling Sampling = TimeSampling.LogitNormal,
    double LogitMean = 0,
    double LogitStd = 1,
    double Shift = 1);

/// <summary>
/// Rectified flow (Liu et al. 2022; Esser et al. 2024): x_t = (1 − t)·x0 + t·ε for t ∈ [0, 1], and the
/// network predicts the velocity ε − x0. Model times are t itself: 1 is pure noise, 0 is clean.
/// <see cref="RectifiedFlowConfig.Shift"/> applies to training times and to sampling times alike.
/// </summary>
public sealed class RectifiedFlowObjective : DiffusionObjective
{
    public RectifiedFlowObjective(RectifiedFlowConfig? config = null) : base(Prediction.Velocity)
    {
        Config = config ?? new RectifiedFlowConfig();
        if (!(Config.LogitStd > 0)) throw new ArgumentOutOfRangeException(nameof(config), Config.LogitStd, "LogitStd must be positive");
        if (!double.IsFinite(Config.LogitMean)) throw new ArgumentOutOfRangeException(nameof(config), Config.LogitMean, "LogitMean must be finite");
        TimestepShift.Apply(0.5, Config.Shift); // validates the shift
    }

    public RectifiedFlowConfig Config { get; }

    public override (double Alpha, double Sigma) NoiseLevel(double t)
    {
        if (!(t >= 0 && t <= 1)) throw new ArgumentOutOfRangeException(nameof(t), t, "rectified-flow time must be in [0, 1]");
        return (1 - t, t);
    }

    protected override void CheckTimes(Tensor t)
    {
        double min = t.Min().Item<double>(), max = t.Max().Item<double>();
        if (!(min >= 0 && max <= 1))
            throw new ArgumentOutOfRangeException(nameof(t), $"rectified-flow times must be in [0, 1], got values in [{min}, {max}]");
    }

    protected override (Tensor Alpha, Tensor Sigma) NoiseLevels(Tensor t) => (1 - t, t.Alias());

    public override Tensor SampleTimes(long batch, DType dtype, Device device, Generator? generator = null)
    {
        var t = Config.Sampling == TimeSampling.Uniform
            ? Tensor.Rand([batch], dtype, device, generator)
            : (Tensor.Randn([batch], dtype, device, generator) * Config.LogitStd + Config.LogitMean).Sigmoid();
        return TimestepShift.Apply(t, Config.Shift);
    }

    /// <summary>t_i = shift(1 − i/steps), i = 0 .. steps.</summary>
    public override double[] SamplingTimes(int steps)
    {
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be positive");
        var times = new double[steps + 1];
        for (int i = 0; i <= steps; i++) times[i] = TimestepShift.Apply(1 - (double)i / steps, Config.Shift);
        times[steps] = 0;
        return times;
    }
}
