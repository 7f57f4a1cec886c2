namespace Workbench.Training;

/// <summary>How an optimizer step launches its kernels (torch.optim's for-loop, foreach and fused implementations).</summary>
public enum OptimizerKernels
{
    /// <summary>Several kernels per parameter tensor: the reference the others are tested against.</summary>
    PerTensor,
    /// <summary>Multi-tensor kernels over each parameter group: a few launches for the whole model.</summary>
    ForEach,
    /// <summary>One fused kernel per group where libtorch has one for the tensors (CUDA, float32, libtorch 2.1+); ForEach elsewhere.</summary>
    Fused,
}
