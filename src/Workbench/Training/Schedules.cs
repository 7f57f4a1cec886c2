namespace Workbench.Training;

/// <summary>Learning-rate schedules.</summary>
public static class LrSchedule
{
    /// <summary>
    /// Linear warm-up from 0 to <paramref name="peak"/> over the first <paramref name="warmup"/> steps, times a
    /// cosine decay to <paramref name="floor"/> over the run's <paramref name="progress"/> (0 to 1, by steps or by time).
    /// </summary>
    public static double WarmupCosine(long step, long warmup, double progress, double peak, double floor = 0)
    {
        double warm = warmup > 0 ? Math.Min(1, (step + 1.0) / warmup) : 1;
        double p = Math.Clamp(progress, 0, 1);
        return warm * (floor + (peak - floor) * 0.5 * (1 + Math.Cos(Math.PI * p)));
    }
}
