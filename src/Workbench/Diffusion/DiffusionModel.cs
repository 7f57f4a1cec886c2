using Workbench.Torch;

namespace Workbench.Diffusion;

/// <summary>
/// A denoising network as the samplers see it: the prediction (ε, v or velocity, whichever the objective
/// trains) for the noisy sample <paramref name="x"/> (B, ...) at per-sample model times <paramref name="t"/>
/// (B,), in the dtype of x. The prediction has x's shape.
/// </summary>
public delegate Tensor DiffusionModel(Tensor x, Tensor t);

/// <summary>A conditional network: as <see cref="DiffusionModel"/>, with a conditioning batch (B, ...), e.g. text embeddings.</summary>
public delegate Tensor ConditionalModel(Tensor x, Tensor t, Tensor condition);
