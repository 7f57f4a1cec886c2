using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workbench.Training;

/// <summary>
/// Where a training run's per-step numbers go: <c>metrics.jsonl</c> in the run folder (one line per step)
/// and the run store beside the run folders (written in batches, so SQLite costs nothing per step).
/// A resumed run first forgets what came after its checkpoint, so both hold exactly one entry per step.
/// </summary>
public sealed class TrainingLog : IDisposable
{
    private const int BatchSize = 50;

    private readonly StreamWriter _jsonl;
    private readonly RunStore _store;
    private readonly long _runId;
    private readonly List<(long, string, double)> _pending = [];

    public long RunId => _runId;
    public string StorePath => _store.Path;

    public TrainingLog(string runDirectory, string kind, JsonNode config, long resumedAtStep = 0)
    {
        Directory.CreateDirectory(runDirectory);
        var path = Path.Combine(runDirectory, "metrics.jsonl");
        if (File.Exists(path))
        {
            // A killed run may have left a half-written last line: keep only whole lines up to the checkpoint.
            var kept = File.ReadLines(path).Where(line => StepOf(line) is { } s && s <= resumedAtStep).ToList();
            AtomicFile.WriteAllText(path, kept.Count == 0 ? "" : string.Join("\n", kept) + "\n");
        }
        _jsonl = new StreamWriter(path, append: true);
        _store = RunStore.Open(RunStore.PathFor(runDirectory));
        _runId = _store.Register(runDirectory, kind, config.ToJsonString());
        _store.TruncateMetrics(_runId, resumedAtStep);
    }

    private static long? StepOf(string line)
    {
        try { return JsonNode.Parse(line)?["Step"]?.GetValue<long>(); }
        catch (JsonException) { return null; }
    }

    public void Add(TrainStep s)
    {
        _jsonl.WriteLine(JsonSerializer.Serialize(s));
        _pending.Add((s.Step, "loss", s.Loss));
        _pending.Add((s.Step, "lr", s.LearningRate));
        _pending.Add((s.Step, "grad_norm", s.GradNorm));
        _pending.Add((s.Step, "clips_per_second", s.ClipsPerSecond));
        _pending.Add((s.Step, "elapsed_seconds", s.Elapsed));
        if (s.Reconstruction != s.Loss) _pending.Add((s.Step, "reconstruction", s.Reconstruction));
        if (_pending.Count >= BatchSize * 5) Flush();
    }

    public void Flush()
    {
        _jsonl.Flush();
        if (_pending.Count == 0) return;
        _store.LogMetrics(_runId, _pending);
        _pending.Clear();
    }

    public void AddEvaluation(long step, string metric, double value, long? samples = null) => _store.AddEvaluation(_runId, step, metric, value, samples);

    public void Finish(string status = "finished")
    {
        Flush();
        _store.SetStatus(_runId, status);
    }

    public void Dispose()
    {
        Flush();
        _jsonl.Dispose();
        _store.Dispose();
    }
}
