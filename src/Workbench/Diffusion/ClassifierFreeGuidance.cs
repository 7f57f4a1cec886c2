using Workbench.Torch;

namespace Workbench.Diffusion;

/// <summary>
/// Classifier-free guidance settings (Ho &amp; Salimans 2022): <paramref name="Scale"/> w gives
/// uncond + w·(cond − uncond) (1: the conditional model alone); <paramref name="Rescale"/> φ blends in the
/// guided prediction rescaled to the conditional one's standard deviation (Lin et al. 2023, §3.4; 0 = off).
/// </summary>
public sealed record GuidanceConfig(double Scale = 5.0, double Rescale = 0.0);

/// <summary>
/// Wraps a <see cref="ConditionalModel"/> into the <see cref="DiffusionModel"/> the samplers call: the
/// conditional and unconditional passes go through the network as one batch of 2B
/// ([x; x], [t; t], [cond; uncond]), and the two halves are combined by <see cref="Combine"/>.
/// </summary>
public static class ClassifierFreeGuidance
{
    /// <param name="model">The conditional network.</param>
    /// <param name="condition">Conditioning (B, ...) or (1, ...) for every sample.</param>
    /// <param name="unconditional">The null conditioning, shaped like <paramref name="condition"/> apart from a batch of B or 1.</param>
    /// <param name="config">Scale and rescale. At scale 1 the unconditional pass is skipped (it would be multiplied by 0).</param>
    public static DiffusionModel Wrap(ConditionalModel model, Tensor condition, Tensor unconditional, GuidanceConfig config)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(unconditional);
        Validate(config);
        if (condition.Rank < 1 || unconditional.Rank != condition.Rank || !condition.Shape.AsSpan(1).SequenceEqual(unconditional.Shape.AsSpan(1)))
            throw new ArgumentException($"unconditional shape {Tensor.FormatShape(unconditional.Shape)} does not match condition shape {Tensor.FormatShape(condition.Shape)} (they may differ only in a batch of 1)", nameof(unconditional));

        return (x, t) =>
        {
            long batch = x.Size(0);
            var cond = Broadcast(condition, batch, nameof(condition));
            if (config.Scale == 1) return model(x, t, cond);
            var uncond = Broadcast(unconditional, batch, nameof(unconditional));
            var output = model(Tensor.Cat([x, x]), Tensor.Cat([t, t]), Tensor.Cat([cond, uncond]));
            if (output.Rank < 1 || output.Size(0) != 2 * batch)
                throw new InvalidOperationException($"the guided model returned shape {Tensor.FormatShape(output.Shape)} for a batch of {2 * batch} (conditional and unconditional)");
            var halves = output.Chunk(2);
            return Combine(halves[0], halves[1], config);
        };
    }

    /// <summary>
    /// cond + (w − 1)·(cond − uncond), which is uncond + w·(cond − uncond) and exactly cond at w = 1;
    /// then, for φ &gt; 0, Lin et al. 2023 §3.4: x = φ·x·σ(cond)/σ(x) + (1 − φ)·x, with standard
    /// deviations per sample over all other dims.
    /// </summary>
    public static Tensor Combine(Tensor conditional, Tensor unconditional, GuidanceConfig config)
    {
        Validate(config);
        if (!conditional.Shape.AsSpan().SequenceEqual(unconditional.Shape))
            throw new ArgumentException($"unconditional prediction shape {Tensor.FormatShape(unconditional.Shape)} differs from conditional {Tensor.FormatShape(conditional.Shape)}", nameof(unconditional));
        var guided = conditional + (conditional - unconditional) * (config.Scale - 1);
        if (config.Rescale == 0) return guided;
        if (conditional.Rank < 2)
            throw new ArgumentException($"guidance rescale needs per-sample standard deviations, so predictions of rank ≥ 2; got shape {Tensor.FormatShape(conditional.Shape)}", nameof(conditional));
        var dims = Dims.Create(Enumerable.Range(1, conditional.Rank - 1).Select(d => (long)d).ToArray());
        var factor = conditional.Std(dims, keepDim: true) / guided.Std(dims, keepDim: true);
        return guided * (factor * config.Rescale + (1 - config.Rescale));
    }

    private static Tensor Broadcast(Tensor c, long batch, string name)
    {
        if (c.Size(0) == batch) return c;
        if (c.Size(0) == 1)
        {
            var shape = c.Shape;
            shape[0] = batch;
            return c.Expand(shape);
        }
        throw new ArgumentException($"{name} has a batch of {c.Size(0)}, the sample a batch of {batch} (need {batch} or 1)", name);
    }

    private static void Validate(GuidanceConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!double.IsFinite(config.Scale)) throw new ArgumentOutOfRangeException(nameof(config), config.Scale, "the guidance scale must be finite");
        if (!(config.Rescale >= 0 && config.Rescale <= 1)) throw new ArgumentOutOfRangeException(nameof(config), config.Rescale, "the guidance rescale φ must be in [0, 1]");
    }
}
