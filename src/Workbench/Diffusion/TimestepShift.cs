using Workbench.Torch;

namespace Workbench.Diffusion;

/// <summary>
/// The resolution/length timestep shift of rectified flow (Esser et al. 2024, SD3, §5.3.2):
/// t' = s·t / (1 + (s − 1)·t). s &gt; 1 spends more time at high noise, which larger images and longer
/// videos need because more tokens average away more of the noise; it maps 0 → 0 and 1 → 1 and is monotone.
/// </summary>
public static class TimestepShift
{
    public static double Apply(double t, double shift)
    {
        CheckShift(shift);
        return shift * t / (1 + (shift - 1) * t);
    }

    public static Tensor Apply(Tensor t, double shift)
    {
        CheckShift(shift);
        return shift == 1 ? t.Alias() : t * shift / ((t * (shift - 1)) + 1);
    }

    /// <summary>s = √(m/n) for m tokens against a base of n tokens at which s = 1 was tuned (SD3, §5.3.2).</summary>
    public static double ForTokens(long tokens, long baseTokens)
    {
        if (tokens <= 0) throw new ArgumentOutOfRangeException(nameof(tokens), tokens, "token count must be positive");
        if (baseTokens <= 0) throw new ArgumentOutOfRangeException(nameof(baseTokens), baseTokens, "base token count must be positive");
        return Math.Sqrt((double)tokens / baseTokens);
    }

    private static void CheckShift(double shift)
    {
        if (!(shift > 0) || double.IsInfinity(shift)) throw new ArgumentOutOfRangeException(nameof(shift), shift, "the timestep shift must be a positive finite number");
    }
}
