using Workbench.Torch;

namespace Workbench.Diffusion;

/// <summary>
/// A sampler walks a sample from noise to data over <see cref="Timesteps"/> (diffusers' scheduler shape:
/// <see cref="SetTimesteps"/>, then <see cref="Step"/> once per step). <see cref="Sample"/> runs the whole
/// loop and yields a <see cref="SampleStep"/> trace; a sampler runs one trace at a time.
/// </summary>
public abstract class Sampler
{
    private double[] _timesteps = [];
    // Sample's loop defers the NaN/∞ check of the model's outputs: call k writes its (finite, NaN) element counts into
    // row k of a device buffer, read every FiniteCheckInterval steps; the host keeps each call's (step, t, elements).
    // Null elsewhere: Predict then checks at once.
    private Tensor? _checkCounts;
    private readonly List<(int Step, double T, long NumEl)> _checkedCalls = [];
    private int _checksRead;
    private int _finiteCheckInterval = 10;

    protected Sampler(DiffusionObjective objective) =>
        Objective = objective ?? throw new ArgumentNullException(nameof(objective));

    public DiffusionObjective Objective { get; }

    /// <summary>Steps + 1 model times from noise to clean; step i goes from Timesteps[i] to Timesteps[i + 1].</summary>
    public IReadOnlyList<double> Timesteps => _timesteps;

    public int Steps => Math.Max(_timesteps.Length - 1, 0);

    /// <summary>
    /// <see cref="Sample"/> checks the model's outputs for NaN/∞ on the device and reads the checks every this many
    /// steps and after the last (each read waits for the device; 1 reads every step). A failure still names the first
    /// step that went wrong, but up to this many steps may be yielded before it is found.
    /// </summary>
    public int FiniteCheckInterval
    {
        get => _finiteCheckInterval;
        set => _finiteCheckInterval = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "the check interval must be at least 1 step");
    }

    /// <summary>Model calls a full run of <see cref="Steps"/> steps makes.</summary>
    public virtual int PlannedModelCalls => Steps;

    public void SetTimesteps(int steps)
    {
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be positive");
        _timesteps = Objective.SamplingTimes(steps);
        Reset();
    }

    /// <summary>Forgets state carried from step to step (multistep history, leap tracking) and frees its tensors.</summary>
    public virtual void Reset() { }

    /// <summary>
    /// Step <paramref name="index"/>: from <paramref name="x"/> at Timesteps[index] to Timesteps[index + 1].
    /// Returns new tensors; call it under <see cref="NoGrad"/> and a <see cref="DisposeScope"/> in a loop
    /// of your own (<see cref="Sample"/> does both).
    /// </summary>
    public abstract StepOutput Step(DiffusionModel model, Tensor x, int index, Generator? generator = null);

    /// <summary>
    /// Samples from <paramref name="noise"/> (standard normal, (B, ...)) in <paramref name="steps"/> steps,
    /// yielding one <see cref="SampleStep"/> per step; the consumer owns each step's tensors (see there).
    /// Runs without gradients; checks <paramref name="cancellationToken"/> before every step. Arguments
    /// are checked now; <paramref name="noise"/> is read when the first step is asked for.
    /// </summary>
    public IEnumerable<SampleStep> Sample(DiffusionModel model, Tensor noise, int steps, Generator? generator = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(noise);
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be positive");
        Objective.SamplingTimes(steps); // throws now, naming steps, when the objective cannot take that many
        if (noise.Rank < 1 || !noise.DType.IsFloatingPoint())
            throw new ArgumentException($"noise must be a floating tensor with a batch dimension, got {noise.DType.Name()} of shape {Tensor.FormatShape(noise.Shape)}", nameof(noise));
        return Run(model, noise, steps, generator, cancellationToken);
    }

    /// <summary>Runs <see cref="Sample"/> to the end and returns the finished sample (the intermediate steps are disposed).</summary>
    public Tensor Generate(DiffusionModel model, Tensor noise, int steps, Generator? generator = null,
        CancellationToken cancellationToken = default)
    {
        Tensor? last = null;
        foreach (var step in Sample(model, noise, steps, generator, cancellationToken))
        {
            last?.Dispose();
            step.PredictedX0.Dispose();
            last = step.X;
        }
        return last!;
    }

    private IEnumerable<SampleStep> Run(DiffusionModel model, Tensor noise, int steps, Generator? generator, CancellationToken cancellationToken)
    {
        // x is the run's own handle, outside every scope: the consumer's scopes come and go between steps.
        var x = noise.Alias().DetachFromScope();
        int calls = 0;
        try
        {
            SetTimesteps(steps);
            _checkCounts = Tensor.Zeros([PlannedModelCalls, 2], DType.Int64, noise.Device).DetachFromScope();
            _checkedCalls.Clear();
            _checksRead = 0;
            for (int i = 0; i < Steps; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Tensor next, x0;
                bool last;
                // Scope and grad mode are per-thread state: both end before the yield hands the thread back.
                using (DisposeScope.Enter())
                using (new NoGrad())
                {
                    var output = Step(model, x, i, generator);
                    calls += output.ModelCalls;
                    last = output.Finished || i == Steps - 1;
                    if (last || (i + 1) % FiniteCheckInterval == 0) ReadPendingChecks();
                    next = output.X.Alias().DetachFromScope();
                    x0 = output.PredictedX0.Alias().DetachFromScope();
                }
                x.Dispose();
                x = next;
                var step = new SampleStep(i, Steps, Timesteps[i], last ? Timesteps[^1] : Timesteps[i + 1],
                    x.Alias(), Adopt(x0), calls, last ? PlannedModelCalls - calls : 0, last);
                yield return step;
                if (last) yield break;
            }
        }
        finally
        {
            x.Dispose();
            _checkCounts?.Dispose();
            _checkCounts = null;
            Reset();
        }
    }

    // One read for the checks since the last: throws for the first output that held NaN/∞.
    private void ReadPendingChecks()
    {
        if (_checkCounts is null || _checksRead == _checkedCalls.Count) return;
        using var scope = DisposeScope.Enter();
        int from = _checksRead, n = _checkedCalls.Count - from;
        var counts = _checkCounts.Narrow(0, from, n).ToArray<long>();
        _checksRead = _checkedCalls.Count;
        for (int k = 0; k < n; k++)
        {
            var (step, t, numel) = _checkedCalls[from + k];
            if (counts[2 * k] != numel) throw NonFinite(step, t, counts[2 * k + 1], numel);
        }
    }

    private static SamplingException NonFinite(int step, double t, long nan, long numel) =>
        new(step, t, $"the model output contains NaN or infinity ({nan} NaN of {numel})");

    // A handle in the caller's current scope, in place of a scope-free one.
    private static Tensor Adopt(Tensor detached)
    {
        var adopted = detached.Alias();
        detached.Dispose();
        return adopted;
    }

    /// <summary>
    /// Calls the model at time <paramref name="t"/> for the whole batch and splits its prediction into
    /// (x̂0, ε̂); also returns the raw prediction. Throws <see cref="SamplingException"/> naming
    /// <paramref name="step"/> when the prediction has the wrong shape or holds NaN/∞ (inside <see cref="Sample"/>
    /// the NaN/∞ check is read later, see <see cref="FiniteCheckInterval"/>).
    /// </summary>
    protected (Tensor X0, Tensor Noise, Tensor Output) Predict(DiffusionModel model, Tensor x, double t, int step)
    {
        var output = model(x, Tensor.Full([x.Size(0)], t, x.DType, x.Device))
            ?? throw new SamplingException(step, t, "the model returned null");
        if (!output.Shape.AsSpan().SequenceEqual(x.Shape))
            throw new SamplingException(step, t, $"the model returned shape {Tensor.FormatShape(output.Shape)} for a sample of shape {Tensor.FormatShape(x.Shape)}");
        if (_checkCounts is not null && _checkedCalls.Count < _checkCounts.Size(0))
        {
            _checkCounts.Narrow(0, _checkedCalls.Count, 1).Copy_(Tensor.Stack([output.IsFinite().Sum(), output.IsNaN().Sum()]));
            _checkedCalls.Add((step, t, output.NumEl));
        }
        else if (output.IsFinite().All().Item<int>() == 0)
            throw NonFinite(step, t, output.IsNaN().Sum().Item<long>(), output.NumEl);
        var (x0, noise) = Objective.Decompose(x, output, t);
        return (x0, noise, output);
    }

    /// <summary>Checks the step index and returns (t, next t) of that step.</summary>
    protected (double T, double Next) Interval(int index)
    {
        if (_timesteps.Length == 0) throw new InvalidOperationException("call SetTimesteps before Step");
        if (index < 0 || index >= Steps) throw new ArgumentOutOfRangeException(nameof(index), index, $"step index must be in [0, {Steps})");
        return (_timesteps[index], _timesteps[index + 1]);
    }
}
