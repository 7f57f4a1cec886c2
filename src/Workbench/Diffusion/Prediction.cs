namespace Workbench.Diffusion;

/// <summary>What the network predicts for x_t = α_t·x0 + σ_t·ε.</summary>
public enum Prediction
{
    /// <summary>The noise ε (Ho et al. 2020).</summary>
    Epsilon,
    /// <summary>v = α_t·ε − σ_t·x0 (Salimans &amp; Ho 2022, progressive distillation).</summary>
    V,
    /// <summary>The rectified-flow velocity dx_t/dt = ε − x0 (Liu et al. 2022; only on the path α = 1 − t, σ = t).</summary>
    Velocity,
}
