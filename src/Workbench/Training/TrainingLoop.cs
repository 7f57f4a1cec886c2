using System.Diagnostics;
using System.Text.Json.Nodes;
using Workbench.Data;
using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Training;

/// <summary>What <see cref="TrainingLoop"/> reads from a trainer's options (each trainer's options record has these).</summary>
public interface ITrainingLoopOptions
{
    string RunDirectory { get; }
    /// <summary>Stop after this many optimizer steps (if set) ...</summary>
    int? Steps { get; }
    /// <summary>... or after this much training time (a resumed run counts its earlier time).</summary>
    double? Minutes { get; }
    /// <summary>Clips per micro-batch.</summary>
    int BatchSize { get; }
    /// <summary>Micro-batches per optimizer step: N micro-batches of B clips make one step of N·B clips.</summary>
    int Accumulate { get; }
    /// <summary>Peak learning rate (after warm-up).</summary>
    double LearningRate { get; }
    int WarmupSteps { get; }
    double ClipGradNorm { get; }
    /// <summary>Optimizer steps between checkpoints.</summary>
    int SaveEvery { get; }
    /// <summary>Continue from the run's last complete checkpoint.</summary>
    bool Resume { get; }
}

/// <summary>One micro-batch's loss (a mean over its clips); a VAE also reports its two terms.</summary>
public readonly record struct BatchLoss(Tensor Loss, Tensor? Reconstruction = null, Tensor? Kl = null)
{
    public static implicit operator BatchLoss(Tensor loss) => new(loss);
}

/// <summary>
/// The loop the VAE, DiT and feature-network trainers share: optimizer steps until a budget of steps or
/// minutes is spent, under a warm-up + cosine learning rate, one dispose scope per step. A step back-propagates
/// <c>Accumulate</c> micro-batches, each loss scaled by 1/N, so their gradients add up to the gradient of
/// the mean over all N·B clips; then one <see cref="UpdateStep"/> (gradient check, clipping, AdamW, EMA).
/// The step count, the schedule, the EMA, the log and the checkpoints all count optimizer steps, and a
/// checkpoint (every <c>SaveEvery</c> steps and at the end) is only ever written between two optimizer steps,
/// so a resumed run never starts halfway through an accumulation.
/// Resume is exact when the data is: micro-batch k of the run (k = step·N + m) must be the same whether the
/// stream starts at 0 or at k, which <see cref="Epochs"/> and <see cref="From"/> guarantee.
/// </summary>
public sealed class TrainingLoop
{
    private readonly ITrainingLoopOptions _o;
    private readonly Module _model;
    private readonly AdamW _optimizer;
    private readonly Ema? _ema;
    private readonly double _finalLearningRate;
    private readonly Stopwatch _clock = new();
    private double _elapsedBefore;

    /// <param name="finalLearningRate">Where the cosine ends.</param>
    public TrainingLoop(ITrainingLoopOptions options, Module model, AdamW optimizer, Ema? ema, double finalLearningRate)
    {
        Validate(options);
        (_o, _model, _optimizer, _ema, _finalLearningRate) = (options, model, optimizer, ema, finalLearningRate);
    }

    /// <summary>
    /// Rejects a missing budget, non-positive counts and a resume with other batches than the checkpoint's
    /// (trainers call it before they touch the run folder).
    /// </summary>
    public static void Validate(ITrainingLoopOptions o)
    {
        if (o.Steps is null && o.Minutes is null) throw new ArgumentException("give a budget: steps or minutes");
        if (o.Steps is <= 0) throw new ArgumentException($"steps must be positive, got {o.Steps}");
        if (o.Minutes is <= 0) throw new ArgumentException($"minutes must be positive, got {o.Minutes}");
        if (o.Accumulate < 1) throw new ArgumentException($"accumulate (micro-batches per step) must be at least 1, got {o.Accumulate}");
        if (o.BatchSize < 1) throw new ArgumentException($"batch size must be at least 1, got {o.BatchSize}");
        if (o.SaveEvery < 1) throw new ArgumentException($"save-every must be at least 1 step, got {o.SaveEvery}");
        if (o.Resume && Checkpoint.Latest(o.RunDirectory) is { } checkpoint) CheckSameBatches(o, Checkpoint.ReadState(checkpoint), checkpoint);
    }

    /// <summary>Optimizer steps done, counting those before a resume.</summary>
    public long Step { get; private set; }

    /// <summary>The step this session started from (0, or the checkpoint's).</summary>
    public long FirstStep { get; private set; }

    /// <summary>Training seconds, counting those before a resume.</summary>
    public double Elapsed => _elapsedBefore + _clock.Elapsed.TotalSeconds;

    /// <summary>How much of the budget is spent (0 to 1 and beyond), by steps or by time.</summary>
    public double Progress => _o.Steps is { } s ? (double)Step / s : Elapsed / 60 / _o.Minutes!.Value;

    /// <summary>More tensors a trainer keeps in each checkpoint (the VAE's noise generator) ...</summary>
    public Func<IReadOnlyList<(string Name, Tensor Tensor)>>? ExtraState { get; init; }

    /// <summary>... and how it puts them back.</summary>
    public Action<IReadOnlyDictionary<string, Tensor>>? RestoreExtraState { get; init; }

    /// <summary>Called after each checkpoint with its step (e.g. to refresh the run's weights file).</summary>
    public Action<long>? Saved { get; init; }

    /// <summary>When the options ask for it and the run has a complete checkpoint, continues from it; returns <see cref="Step"/>.</summary>
    public long ResumeIfAsked(IProgress<string>? status = null)
    {
        if (!_o.Resume || Checkpoint.Latest(_o.RunDirectory) is not { } checkpoint) return Step;
        using var scope = DisposeScope.Enter();
        var state = Checkpoint.ReadState(checkpoint);
        CheckSameBatches(_o, state, checkpoint);
        _model.LoadStateDict(Checkpoint.Read(checkpoint, Checkpoint.Model));
        _ema?.LoadStateDict(Checkpoint.Read(checkpoint, Checkpoint.EmaFile), state["ema_updates"]!.GetValue<long>());
        _optimizer.LoadStateDict(Checkpoint.Read(checkpoint, Checkpoint.Optimizer), state["optimizer_steps"]!.GetValue<long>());
        RestoreExtraState?.Invoke(Checkpoint.Read(checkpoint, Checkpoint.Extra));
        Step = FirstStep = state["step"]!.GetValue<long>();
        _elapsedBefore = state["elapsed_seconds"]!.GetValue<double>();
        status?.Report($"resuming from {checkpoint} (step {Step})");
        return Step;
    }

    // Micro-batch k is step·N + m: another N or B would feed the resumed run other data than the first part saw.
    private static void CheckSameBatches(ITrainingLoopOptions o, JsonObject state, string checkpoint)
    {
        long accumulate = state["accumulate"]?.GetValue<long>() ?? 1;
        long batch = state["batch"]?.GetValue<long>() ?? o.BatchSize;
        if (accumulate != o.Accumulate || batch != o.BatchSize)
            throw new ArgumentException($"{checkpoint} was trained with batches of {batch} × {accumulate} micro-batches per step; " +
                $"resume it with the same (asked: {o.BatchSize} × {o.Accumulate})");
    }

    /// <summary>
    /// Trains until the budget is spent, then writes a last checkpoint. <paramref name="microBatches"/> gives the
    /// run's micro-batches from a given index on, without end (ones that are <see cref="IDisposable"/> are disposed
    /// after use); <paramref name="loss"/> computes one micro-batch's loss.
    /// </summary>
    public void Run<TBatch>(Func<long, IEnumerable<TBatch>> microBatches, Func<TBatch, BatchLoss> loss, TrainingLog log,
        IProgress<TrainStep>? progress = null, CancellationToken cancel = default)
    {
        string kept = $"the last complete checkpoint in {Checkpoint.Folder(_o.RunDirectory)} is kept (resume with --resume)";
        using var batches = microBatches(Step * _o.Accumulate).GetEnumerator();
        _clock.Restart();
        while (Progress < 1)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = DisposeScope.Enter();
            _optimizer.LearningRate = LrSchedule.WarmupCosine(Step, _o.WarmupSteps, Progress, _o.LearningRate, _finalLearningRate);
            var (meanLoss, reconstruction, kl) = AccumulateGradients(batches, loss);
            // One read a step: the loss, the gradient norm and the logged terms come back together.
            var values = UpdateStep.Update(_model, _optimizer, Step, meanLoss, _o.ClipGradNorm, _ema, kept,
                [reconstruction ?? meanLoss, kl ?? Tensor.Zeros([], DType.Float64, meanLoss.Device)]);
            Step++;
            var report = new TrainStep(Step, values.Loss, values.Terms[0], values.Terms[1], _optimizer.LearningRate, values.GradNorm,
                (Step - FirstStep) * _o.BatchSize * _o.Accumulate / _clock.Elapsed.TotalSeconds, Elapsed, Math.Min(1, Progress));
            log.Add(report);
            progress?.Report(report);
            if (Step % _o.SaveEvery == 0) Save(log);
        }
        if (Step % _o.SaveEvery != 0) Save(log);
    }

    // Back-propagates N micro-batches (each in its own scope, so one's activations are freed before the next's);
    // returns the means of the loss and its terms over them, on the device (float64; nothing is read here).
    private (Tensor Loss, Tensor? Reconstruction, Tensor? Kl) AccumulateGradients<TBatch>(IEnumerator<TBatch> batches,
        Func<TBatch, BatchLoss> lossOf)
    {
        int n = _o.Accumulate;
        Tensor? total = null, reconstruction = null, kl = null;
        for (int m = 0; m < n; m++)
        {
            if (!batches.MoveNext()) throw new InvalidOperationException($"the training data ran out at step {Step} (the micro-batch stream must not end)");
            using var scope = DisposeScope.Enter();
            using var owned = batches.Current as IDisposable;
            var l = lossOf(batches.Current);
            total = AddOutside(total, UpdateStep.Backward(l.Loss, 1.0 / n));
            if (l.Reconstruction is { } r) reconstruction = AddOutside(reconstruction, r.Detach());
            if (l.Kl is { } k) kl = AddOutside(kl, k.Detach());
        }
        return (total! / n, reconstruction is null ? null : reconstruction / n, kl is null ? null : kl / n);
    }

    // sum + value in float64, kept in the step's scope (the micro-batch's scope ends first).
    private static Tensor AddOutside(Tensor? sum, Tensor value)
    {
        var v = value.To(DType.Float64);
        return (sum is null ? v.Alias() : sum + v).MoveToOuterScope();
    }

    private void Save(TrainingLog log)
    {
        using var scope = DisposeScope.Enter();
        log.Flush(); // the log holds every step up to the checkpoint before the checkpoint exists
        var files = new Dictionary<string, IReadOnlyList<(string, Tensor)>>
        {
            [Checkpoint.Model] = _model.StateDict(),
            [Checkpoint.Optimizer] = _optimizer.StateDict(),
        };
        if (_ema is not null) files[Checkpoint.EmaFile] = _ema.StateDict();
        if (ExtraState is not null) files[Checkpoint.Extra] = ExtraState();
        Checkpoint.Save(_o.RunDirectory, Step, files, new JsonObject
        {
            ["elapsed_seconds"] = Elapsed, ["optimizer_steps"] = _optimizer.StepCount, ["ema_updates"] = _ema?.Updates,
            ["batch"] = _o.BatchSize, ["accumulate"] = _o.Accumulate,
        });
        Saved?.Invoke(Step);
    }

    /// <summary>
    /// A loader's batches epoch after epoch, from micro-batch <paramref name="start"/> on (epoch k / E, batch
    /// k mod E for E batches an epoch): what an uninterrupted run sees from there.
    /// </summary>
    public static IEnumerable<VideoBatch> Epochs(DataLoader loader, long start)
    {
        int perEpoch = loader.BatchesPerEpoch;
        if (perEpoch == 0) throw new ArgumentException($"{loader.Dataset.Count} clips make no batch of {loader.BatchSize}");
        for (long epoch = start / perEpoch; ; epoch++)
        {
            long skip = epoch == start / perEpoch ? start % perEpoch : 0;
            foreach (var batch in loader.Epoch((int)epoch))
            {
                if (skip-- > 0) { batch.Dispose(); continue; } // read again only to reach the resume point
                yield return batch;
            }
        }
    }

    /// <summary>The micro-batch indices <paramref name="start"/>, start + 1, ... for trainers that draw each batch from (seed, index).</summary>
    public static IEnumerable<long> From(long start)
    {
        for (long k = start; ; k++) yield return k;
    }
}
