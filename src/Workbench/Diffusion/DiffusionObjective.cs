using Workbench.Torch;

namespace Workbench.Diffusion;

/// <summary>
/// A diffusion objective: a Gaussian noise path x_t = α_t·x0 + σ_t·ε over model times t, and what the
/// network predicts on it (<see cref="Prediction"/>). Training draws (x_t, t, target) triples from it;
/// samplers read α_t, σ_t and turn predictions back into (x̂0, ε̂).
/// </summary>
public abstract class DiffusionObjective
{
    protected DiffusionObjective(Prediction prediction) => Prediction = prediction;

    public Prediction Prediction { get; }

    /// <summary>α_t and σ_t at model time <paramref name="t"/> (the clean end of <see cref="SamplingTimes"/> gives (1, 0)).</summary>
    public abstract (double Alpha, double Sigma) NoiseLevel(double t);

    /// <summary>Per-sample α_t and σ_t, each shaped like <paramref name="t"/> (B,), for times <see cref="CheckTimes"/> accepts.</summary>
    protected abstract (Tensor Alpha, Tensor Sigma) NoiseLevels(Tensor t);

    /// <summary>
    /// Throws when <paramref name="t"/> holds times outside this objective's range. It reads t back (on CUDA a wait for
    /// the device), so <see cref="Loss"/> skips it for the times it draws itself.
    /// </summary>
    protected virtual void CheckTimes(Tensor t) { }

    /// <summary>Training times for a batch: (B,) in <paramref name="dtype"/>.</summary>
    public abstract Tensor SampleTimes(long batch, DType dtype, Device device, Generator? generator = null);

    /// <summary>The <paramref name="steps"/> + 1 model times a sampler visits, from pure noise to clean.</summary>
    public abstract double[] SamplingTimes(int steps);

    /// <summary>Forward noising x_t = α_t·x0 + σ_t·noise with per-sample times <paramref name="t"/> (B,).</summary>
    public Tensor AddNoise(Tensor x0, Tensor noise, Tensor t)
    {
        CheckSameShape(x0, noise, nameof(noise));
        var (a, s) = PerSample(t, x0);
        return a * x0 + s * noise;
    }

    /// <summary>What the network should output for (x_t, t): ε, v = α·ε − σ·x0, or velocity ε − x0.</summary>
    public Tensor Target(Tensor x0, Tensor noise, Tensor t)
    {
        CheckSameShape(x0, noise, nameof(noise));
        var (a, s) = PerSample(t, x0);
        return Target(x0, noise, a, s);
    }

    private Tensor Target(Tensor x0, Tensor noise, Tensor a, Tensor s) => Prediction switch
    {
        Prediction.Epsilon => noise.Alias(),
        Prediction.V => a * noise - s * x0,
        _ => noise - x0,
    };

    /// <summary>The clean-sample and noise estimates (x̂0, ε̂) that a prediction at per-sample times <paramref name="t"/> implies.</summary>
    public (Tensor X0, Tensor Noise) Decompose(Tensor xt, Tensor prediction, Tensor t)
    {
        CheckSameShape(xt, prediction, nameof(prediction));
        var (a, s) = PerSample(t, xt);
        return Decompose(xt, prediction, a, s);
    }

    /// <summary>(x̂0, ε̂) for a prediction made at one model time <paramref name="t"/> for the whole batch.</summary>
    public (Tensor X0, Tensor Noise) Decompose(Tensor xt, Tensor prediction, double t)
    {
        CheckSameShape(xt, prediction, nameof(prediction));
        var (a, s) = NoiseLevel(t);
        return Decompose(xt, prediction, Tensor.FromScalar(a, xt.DType, xt.Device), Tensor.FromScalar(s, xt.DType, xt.Device));
    }

    private (Tensor X0, Tensor Noise) Decompose(Tensor x, Tensor p, Tensor a, Tensor s) => Prediction switch
    {
        Prediction.Epsilon => ((x - s * p) / a, p.Alias()),
        Prediction.V => (a * x - s * p, s * x + a * p), // Salimans & Ho 2022, progressive distillation (α² + σ² = 1)
        _ => (x - s * p, x + a * p),                      // x_t = x0 + t·v and x_t = ε − (1−t)·v (α + σ = 1)
    };

    /// <summary>
    /// The training loss for a batch of clean samples: draws t and ε, and returns
    /// mean‖model(x_t, t) − target‖² (a scalar, differentiable through the model).
    /// </summary>
    public Tensor Loss(DiffusionModel model, Tensor x0, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (x0.Rank < 1) throw new ArgumentException($"x0 needs a batch dimension, got shape {Tensor.FormatShape(x0.Shape)}", nameof(x0));
        var t = SampleTimes(x0.Size(0), x0.DType, x0.Device, generator);
        var noise = Tensor.RandnLike(x0, generator);
        var (a, s) = PerSample(t, x0, checkTimes: false); // drawn by SampleTimes: in range by construction
        var prediction = model(a * x0 + s * noise, t);
        return F.MseLoss(prediction, Target(x0, noise, a, s));
    }

    // α_t, σ_t of each sample, shaped (B, 1, ..., 1) so they broadcast over like's other dims.
    private (Tensor Alpha, Tensor Sigma) PerSample(Tensor t, Tensor like, bool checkTimes = true)
    {
        if (like.Rank < 1) throw new ArgumentException($"samples need a batch dimension, got shape {Tensor.FormatShape(like.Shape)}", nameof(like));
        long batch = like.Size(0);
        if (t.Rank != 1 || t.Size(0) != batch)
            throw new ArgumentException($"t must have shape [{batch}] (one time per sample), got {Tensor.FormatShape(t.Shape)}", nameof(t));
        var times = t.To(like.DType, like.Device);
        if (checkTimes && times.NumEl > 0) CheckTimes(times);
        var (a, s) = NoiseLevels(times);
        var shape = new long[like.Rank];
        Array.Fill(shape, 1L);
        shape[0] = batch;
        return (a.Reshape(shape), s.Reshape(shape));
    }

    private static void CheckSameShape(Tensor expected, Tensor actual, string name)
    {
        if (!expected.Shape.AsSpan().SequenceEqual(actual.Shape))
            throw new ArgumentException($"{name} has shape {Tensor.FormatShape(actual.Shape)}, expected {Tensor.FormatShape(expected.Shape)}", name);
    }
}
