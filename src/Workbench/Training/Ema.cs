using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Training;

/// <summary>
/// An exponential moving average of a model's parameters, θ_ema ← d·θ_ema + (1 − d)·θ, as kept by DiT
/// and most diffusion trainers (sampling from the EMA weights gives cleaner samples). Kept in float32.
/// </summary>
public sealed class Ema : IDisposable
{
    private readonly List<(string Name, Parameter Source, Tensor Shadow)> _shadows = [];

    public double Decay { get; }

    /// <summary>Updates so far; early on the effective decay is min(Decay, (1 + n) / (10 + n)), so the average is not dominated by the random initial weights.</summary>
    public long Updates { get; private set; }

    public bool Warmup { get; }

    public double EffectiveDecay => Warmup ? Math.Min(Decay, (1.0 + Updates) / (10.0 + Updates)) : Decay;

    public Ema(Module model, double decay = 0.999, bool warmup = true)
    {
        Warmup = warmup;
        if (decay is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(decay), $"EMA decay must be in [0, 1], got {decay}");
        Decay = decay;
        using var noGrad = new NoGrad();
        foreach (var (name, p) in model.NamedParameters())
            _shadows.Add((name, p, p.Value.Detach().To(DType.Float32, p.Value.Device, copy: true).DetachFromScope()));
    }

    /// <summary>Moves every shadow towards the model's current parameters.</summary>
    public void Update()
    {
        double decay = EffectiveDecay;
        Updates++;
        using var noGrad = new NoGrad();
        foreach (var (_, source, shadow) in _shadows)
        {
            using var scope = DisposeScope.Enter();
            var current = source.Value.DType == DType.Float32 ? source.Value : source.Value.To(DType.Float32);
            shadow.Lerp_(current, 1 - decay); // shadow += (1 − d)(θ − shadow)
        }
    }

    /// <summary>The averaged weights by parameter name (for checkpoints and sampling).</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> StateDict() => _shadows.Select(s => (s.Name, s.Shadow)).ToList();

    /// <summary>Copies the averaged weights into <paramref name="model"/> (a module of the same architecture).</summary>
    public void CopyTo(Module model)
    {
        var state = _shadows.ToDictionary(s => s.Name, s => s.Shadow);
        foreach (var (name, b) in model.NamedBuffers()) state[name] = b.Value;
        model.LoadStateDict(state);
    }

    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, long updates = 0)
    {
        Updates = updates;
        using var noGrad = new NoGrad();
        foreach (var (name, _, shadow) in _shadows)
        {
            if (!state.TryGetValue(name, out var value)) throw new ArgumentException($"EMA state has no '{name}'");
            shadow.Copy_(value);
        }
    }

    public void Dispose()
    {
        foreach (var s in _shadows) s.Shadow.Dispose();
        _shadows.Clear();
    }
}
