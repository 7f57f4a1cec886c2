using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Training;

/// <summary>
/// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay, as torch.optim.AdamW:
/// θ ← θ − lr·λ·θ;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
/// θ ← θ − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε).
/// State (m, v) is float32 beside each parameter, whatever the parameter's dtype. <see cref="Kernels"/> picks how a
/// step runs: multi-tensor kernels over each group (the default, as torch.optim on CUDA) or the per-tensor reference.
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly List<(string Name, Parameter Parameter, bool Decay)> _params;
    private readonly Dictionary<Parameter, (Tensor M, Tensor V)> _state = new(ReferenceEqualityComparer.Instance);

    public double LearningRate { get; set; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public double WeightDecay { get; }
    public long StepCount { get; private set; }

    /// <summary>How <see cref="Step"/> launches its kernels (every choice computes the same update).</summary>
    public OptimizerKernels Kernels { get; init; } = OptimizerKernels.Fused;

    /// <summary>The kernels the last step ran (Fused falls back to ForEach where no fused kernel applies); null before the first step.</summary>
    public OptimizerKernels? LastKernels { get; private set; }

    /// <param name="noDecay">Parameters whose names match are not decayed (by default: biases, norms, embeddings of positions).</param>
    public AdamW(IEnumerable<(string Name, Parameter Parameter)> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0.01, Func<string, bool>? noDecay = null)
    {
        if (lr < 0 || beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1 || eps <= 0 || weightDecay < 0)
            throw new ArgumentException($"AdamW: invalid hyper-parameters lr={lr}, betas=({beta1}, {beta2}), eps={eps}, weight decay={weightDecay}");
        noDecay ??= DefaultNoDecay;
        _params = parameters.Select(p => (p.Name, p.Parameter, !noDecay(p.Name))).ToList();
        (LearningRate, Beta1, Beta2, Eps, WeightDecay) = (lr, beta1, beta2, eps, weightDecay);
    }

    /// <summary>Biases and normalisation scales are not decayed (the usual practice for transformers).</summary>
    public static bool DefaultNoDecay(string name) => name.EndsWith(".bias") || name == "bias" || name.Contains("norm");

    public IReadOnlyList<(string Name, Parameter Parameter, bool Decay)> ParameterGroups => _params;

    /// <summary>One update from the parameters' current gradients (parameters without a gradient are skipped).</summary>
    public void Step()
    {
        StepCount++;
        using var noGrad = new NoGrad();
        LastKernels = Kernels == OptimizerKernels.PerTensor ? StepPerTensor() : StepMultiTensor();
    }

    // Two groups (decayed or not, as torch.optim's param groups), each one native call over all its tensors.
    private OptimizerKernels StepMultiTensor()
    {
        using var scope = DisposeScope.Enter();
        var used = OptimizerKernels.ForEach;
        foreach (bool decay in new[] { true, false })
        {
            var group = _params.Where(p => p.Decay == decay)
                .Select(p => (p.Parameter, Grad: p.Parameter.Grad)).Where(p => p.Grad is not null).ToList();
            if (group.Count == 0) continue;
            var tensors = group.Select(p => p.Parameter.Value)
                .Concat(group.Select(p => p.Grad!))
                .Concat(group.Select(p => State(p.Parameter).M))
                .Concat(group.Select(p => State(p.Parameter).V)).ToList();
            double weightDecay = decay ? WeightDecay : 0;
            int kernels = Tensor.WithRawHandles(tensors, raw => Tensor.CheckedCount(Native.wb_adamw_step_(raw, group.Count,
                LearningRate, Beta1, Beta2, Eps, weightDecay, StepCount, Kernels == OptimizerKernels.Fused ? 1 : 0), "adamw_step_"));
            if (kernels == 2) used = OptimizerKernels.Fused;
        }
        return used;
    }

    // The reference: torch.optim's for-loop implementation, several kernels per parameter tensor.
    private OptimizerKernels StepPerTensor()
    {
        double bias1 = 1 - Math.Pow(Beta1, StepCount), bias2 = 1 - Math.Pow(Beta2, StepCount);
        double stepSize = LearningRate / bias1;
        foreach (var (_, p, decay) in _params)
        {
            using var scope = DisposeScope.Enter();
            var grad = p.Grad;
            if (grad is null) continue;
            var theta = p.Value;
            var g = grad.DType == DType.Float32 ? grad : grad.To(DType.Float32);
            var (m, v) = State(p);
            m.Lerp_(g, 1 - Beta1);                       // m ← β1·m + (1−β1)·g
            v.Mul_(Beta2).AddCMul_(g, g, 1 - Beta2);     // v ← β2·v + (1−β2)·g²
            var denominator = (v / bias2).Sqrt().Add(Eps);
            if (theta.DType == DType.Float32)
            {
                if (decay && WeightDecay > 0) theta.Mul_(1 - LearningRate * WeightDecay);
                theta.AddCDiv_(m, denominator, -stepSize);
            }
            else
            {
                // Low-precision parameters: update in float32, then store back.
                var master = theta.To(DType.Float32);
                if (decay && WeightDecay > 0) master.Mul_(1 - LearningRate * WeightDecay);
                master.AddCDiv_(m, denominator, -stepSize);
                theta.Copy_(master);
            }
        }
        return OptimizerKernels.PerTensor;
    }

    private (Tensor M, Tensor V) State(Parameter p)
    {
        if (_state.TryGetValue(p, out var s)) return s;
        var m = Tensor.Zeros(p.Shape, DType.Float32, p.Value.Device).DetachFromScope();
        var v = Tensor.Zeros(p.Shape, DType.Float32, p.Value.Device).DetachFromScope();
        _state[p] = (m, v);
        return (m, v);
    }

    /// <summary>The optimizer state for checkpoints: <c>{name}.exp_avg</c>, <c>{name}.exp_avg_sq</c> (PyTorch's names).</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> StateDict() =>
        _params.Where(p => _state.ContainsKey(p.Parameter))
            .SelectMany(p => new[] { (p.Name + ".exp_avg", _state[p.Parameter].M), (p.Name + ".exp_avg_sq", _state[p.Parameter].V) })
            .ToList();

    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, long step)
    {
        StepCount = step;
        using var noGrad = new NoGrad();
        foreach (var (name, p, _) in _params)
        {
            if (!state.TryGetValue(name + ".exp_avg", out var m) || !state.TryGetValue(name + ".exp_avg_sq", out var v)) continue;
            var (mine, mine2) = State(p);
            mine.Copy_(m);
            mine2.Copy_(v);
        }
    }

    public void Dispose()
    {
        foreach (var (m, v) in _state.Values) { m.Dispose(); v.Dispose(); }
        _state.Clear();
    }
}
