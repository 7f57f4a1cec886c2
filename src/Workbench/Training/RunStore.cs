using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Workbench.Training;

/// <summary>One run as the store knows it.</summary>
public sealed record RunInfo(long Id, string Path, string Name, string Kind, string Status, string Created, string Updated,
    long LastStep, double? LastLoss, string Config);

/// <summary>
/// One evaluation of one checkpoint: the metric's value at training step <see cref="Step"/>, with the training
/// compute spent to get there (null when not recorded), for metric-vs-step and metric-vs-compute curves.
/// </summary>
public sealed record EvaluationPoint(string Run, long Step, double Value, long? Samples, double? TrainFlops, double? TrainSeconds);

/// <summary>
/// The run store: every run's config, per-step metrics and evaluation results in one SQLite database
/// (<c>workbench.db</c> beside the run folders), so notebooks and the CLI can list runs and plot curves
/// across them with one query.
/// </summary>
public sealed class RunStore : IDisposable
{
    private readonly SqliteConnection _db;

    public string Path { get; }

    private RunStore(string path, SqliteConnection db) => (Path, _db) = (path, db);

    /// <summary>The store for runs under <paramref name="runDirectory"/>'s parent folder.</summary>
    public static string PathFor(string runDirectory) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(runDirectory.TrimEnd('/')))!, "workbench.db");

    public static RunStore Open(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var db = new SqliteConnection($"Data Source={path}");
        db.Open();
        Execute(db, """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS runs (
                id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, name TEXT NOT NULL, kind TEXT NOT NULL,
                config TEXT NOT NULL, status TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS metrics (
                run_id INTEGER NOT NULL REFERENCES runs(id), step INTEGER NOT NULL, name TEXT NOT NULL, value REAL NOT NULL,
                PRIMARY KEY (run_id, step, name));
            CREATE TABLE IF NOT EXISTS evals (
                run_id INTEGER NOT NULL REFERENCES runs(id), step INTEGER NOT NULL, metric TEXT NOT NULL, value REAL NOT NULL,
                samples INTEGER, details TEXT, created TEXT NOT NULL, PRIMARY KEY (run_id, step, metric));
            CREATE TABLE IF NOT EXISTS checkpoints (
                run_id INTEGER NOT NULL REFERENCES runs(id), step INTEGER NOT NULL, train_flops REAL, train_seconds REAL,
                PRIMARY KEY (run_id, step));
            """);
        return new RunStore(path, db);
    }

    private static void Execute(SqliteConnection db, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>Registers (or updates) the run in <paramref name="runDirectory"/>; returns its id.</summary>
    public long Register(string runDirectory, string kind, string configJson)
    {
        var full = System.IO.Path.GetFullPath(runDirectory.TrimEnd('/'));
        Execute(_db, """
            INSERT INTO runs (path, name, kind, config, status, created, updated) VALUES ($path, $name, $kind, $config, 'running', $now, $now)
            ON CONFLICT(path) DO UPDATE SET kind = $kind, config = $config, status = 'running', updated = $now
            """, ("$path", full), ("$name", System.IO.Path.GetFileName(full)), ("$kind", kind), ("$config", configJson), ("$now", Now()));
        using var command = _db.CreateCommand();
        command.CommandText = "SELECT id FROM runs WHERE path = $path";
        command.Parameters.AddWithValue("$path", full);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>The id of the run in <paramref name="runDirectory"/>, or null if the store has never seen it.</summary>
    public long? Find(string runDirectory)
    {
        using var command = _db.CreateCommand();
        command.CommandText = "SELECT id FROM runs WHERE path = $path";
        command.Parameters.AddWithValue("$path", System.IO.Path.GetFullPath(runDirectory.TrimEnd('/')));
        return command.ExecuteScalar() is long id ? id : null;
    }

    public void SetStatus(long runId, string status) =>
        Execute(_db, "UPDATE runs SET status = $status, updated = $now WHERE id = $id", ("$status", status), ("$now", Now()), ("$id", runId));

    /// <summary>Stores many steps' metrics in one transaction (replacing values already there).</summary>
    public void LogMetrics(long runId, IEnumerable<(long Step, string Name, double Value)> rows)
    {
        using var transaction = _db.BeginTransaction();
        using var command = _db.CreateCommand();
        command.CommandText = "INSERT OR REPLACE INTO metrics (run_id, step, name, value) VALUES ($run, $step, $name, $value)";
        var run = command.Parameters.Add("$run", SqliteType.Integer);
        var step = command.Parameters.Add("$step", SqliteType.Integer);
        var name = command.Parameters.Add("$name", SqliteType.Text);
        var value = command.Parameters.Add("$value", SqliteType.Real);
        foreach (var row in rows)
        {
            (run.Value, step.Value, name.Value, value.Value) = (runId, row.Step, row.Name, row.Value);
            command.ExecuteNonQuery();
        }
        transaction.Commit();
        Execute(_db, "UPDATE runs SET updated = $now WHERE id = $id", ("$now", Now()), ("$id", runId));
    }

    /// <summary>Forgets metrics after <paramref name="step"/> (a run resumed from an earlier checkpoint redoes them).</summary>
    public void TruncateMetrics(long runId, long step) =>
        Execute(_db, "DELETE FROM metrics WHERE run_id = $id AND step > $step", ("$id", runId), ("$step", step));

    public void AddEvaluation(long runId, long step, string metric, double value, long? samples = null, string? details = null) =>
        Execute(_db, """
            INSERT OR REPLACE INTO evals (run_id, step, metric, value, samples, details, created) VALUES ($run, $step, $metric, $value, $n, $details, $now)
            """, ("$run", runId), ("$step", step), ("$metric", metric), ("$value", value), ("$n", samples), ("$details", details), ("$now", Now()));

    /// <summary>What training had spent when the checkpoint of <paramref name="step"/> was written (FLOPs, seconds), for compute curves.</summary>
    public void RecordCheckpoint(long runId, long step, double? trainFlops, double? trainSeconds) =>
        Execute(_db, "INSERT OR REPLACE INTO checkpoints (run_id, step, train_flops, train_seconds) VALUES ($run, $step, $flops, $seconds)",
            ("$run", runId), ("$step", step), ("$flops", trainFlops), ("$seconds", trainSeconds));

    /// <summary>
    /// An evaluation metric across all runs with each point's training step and compute: FVD vs step and FVD vs compute
    /// (FLOPs or seconds) for every run come from this one query. Ordered by run, then step.
    /// </summary>
    public IReadOnlyList<EvaluationPoint> EvaluationCurves(string metric)
    {
        using var command = _db.CreateCommand();
        command.CommandText = """
            SELECT r.name, e.step, e.value, e.samples, c.train_flops, c.train_seconds
            FROM evals e JOIN runs r ON r.id = e.run_id LEFT JOIN checkpoints c ON c.run_id = e.run_id AND c.step = e.step
            WHERE e.metric = $metric ORDER BY r.name, e.step
            """;
        command.Parameters.AddWithValue("$metric", metric);
        using var reader = command.ExecuteReader();
        var points = new List<EvaluationPoint>();
        double? Real(int i) => reader.IsDBNull(i) ? null : reader.GetDouble(i);
        while (reader.Read())
            points.Add(new EvaluationPoint(reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2), reader.IsDBNull(3) ? null : reader.GetInt64(3), Real(4), Real(5)));
        return points;
    }

    /// <summary>The evaluation metrics stored for any run, by name.</summary>
    public IReadOnlyList<string> EvaluationMetrics()
    {
        using var command = _db.CreateCommand();
        command.CommandText = "SELECT DISTINCT metric FROM evals ORDER BY metric";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read()) names.Add(reader.GetString(0));
        return names;
    }

    /// <summary>A metric's values in step order.</summary>
    public IReadOnlyList<(long Step, double Value)> Series(long runId, string name)
    {
        using var command = _db.CreateCommand();
        command.CommandText = "SELECT step, value FROM metrics WHERE run_id = $id AND name = $name ORDER BY step";
        command.Parameters.AddWithValue("$id", runId);
        command.Parameters.AddWithValue("$name", name);
        using var reader = command.ExecuteReader();
        var series = new List<(long, double)>();
        while (reader.Read()) series.Add((reader.GetInt64(0), reader.GetDouble(1)));
        return series;
    }

    /// <summary>An evaluation metric across all runs: (run name, step, value), for curves such as FVD vs step.</summary>
    public IReadOnlyList<(string Run, long Step, double Value)> Evaluations(string metric)
    {
        using var command = _db.CreateCommand();
        command.CommandText = "SELECT r.name, e.step, e.value FROM evals e JOIN runs r ON r.id = e.run_id WHERE e.metric = $metric ORDER BY r.name, e.step";
        command.Parameters.AddWithValue("$metric", metric);
        using var reader = command.ExecuteReader();
        var rows = new List<(string, long, double)>();
        while (reader.Read()) rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2)));
        return rows;
    }

    public IReadOnlyList<RunInfo> Runs()
    {
        using var command = _db.CreateCommand();
        command.CommandText = """
            SELECT r.id, r.path, r.name, r.kind, r.status, r.created, r.updated,
                   COALESCE((SELECT MAX(step) FROM metrics m WHERE m.run_id = r.id), 0),
                   (SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'loss' ORDER BY step DESC LIMIT 1),
                   r.config
            FROM runs r ORDER BY r.created, r.id
            """;
        using var reader = command.ExecuteReader();
        var runs = new List<RunInfo>();
        while (reader.Read())
            runs.Add(new RunInfo(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), reader.GetInt64(7), reader.IsDBNull(8) ? null : reader.GetDouble(8), reader.GetString(9)));
        return runs;
    }

    public void Dispose() => _db.Dispose();
}
