namespace Workbench.Diffusion;

/// <summary>Sampler settings for the command line and notebooks; <see cref="Samplers.Create"/> builds one.</summary>
/// <param name="Name">ddpm, ddim, euler, heun or dpm++2m.</param>
/// <param name="Eta">DDIM's η.</param>
/// <param name="Leap">Linear Proportional Leap for euler and heun (null: off).</param>
public sealed record SamplerConfig(string Name = "euler", double Eta = 0, LinearProportionalLeap? Leap = null);

/// <summary>Samplers by name, and which ones fit an objective.</summary>
public static class Samplers
{
    public static readonly IReadOnlyList<string> Names = ["ddpm", "ddim", "euler", "heun", "dpm++2m"];

    public static Sampler Create(SamplerConfig config, DiffusionObjective objective) => config.Name.Trim().ToLowerInvariant() switch
    {
        "ddpm" => new DdpmSampler(objective),
        "ddim" => new DdimSampler(objective, config.Eta),
        "euler" => new EulerSampler(objective, config.Leap),
        "heun" => new HeunSampler(objective, config.Leap),
        "dpm++2m" or "dpmpp2m" or "dpm-solver++" => new DpmPlusPlus2MSampler(objective),
        _ => throw new ArgumentException($"unknown sampler '{config.Name}' (expected {string.Join(", ", Names)})", nameof(config)),
    };

    /// <summary>The sampler names that apply to <paramref name="objective"/> (Euler and Heun need rectified flow).</summary>
    public static IReadOnlyList<string> For(DiffusionObjective objective) =>
        objective.Prediction == Prediction.Velocity ? Names : ["ddpm", "ddim", "dpm++2m"];
}
