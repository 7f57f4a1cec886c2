using System.Text.Json;
using System.Text.Json.Nodes;
using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Training;

/// <summary>
/// A training checkpoint: <c>checkpoints/step-NNNNNNN/</c> holding model, EMA and optimizer state as
/// safetensors and <c>state.json</c> (step, RNG states, anything else). It is written into a temporary
/// folder and renamed into place, then <c>checkpoints/latest</c> is atomically pointed at it, so a run
/// killed at any moment — even mid-write — resumes from the last complete checkpoint.
/// </summary>
public static class Checkpoint
{
    public const string Model = "model.safetensors", EmaFile = "ema.safetensors", Optimizer = "optimizer.safetensors", State = "state.json";
    /// <summary>Whatever else a trainer needs to continue exactly (e.g. a random generator's state).</summary>
    public const string Extra = "extra.safetensors";

    public static string Folder(string run) => Path.Combine(run, "checkpoints");

    public static void Save(string run, long step, IReadOnlyDictionary<string, IReadOnlyList<(string Name, Tensor Tensor)>> files, JsonObject state, int keep = 3)
    {
        var root = Folder(run);
        Directory.CreateDirectory(root);
        var name = $"step-{step:D7}";
        var temp = Path.Combine(root, $".{name}.partial-{Environment.ProcessId}");
        // Leftovers of a killed writer (one process writes a run at a time): partial folders and pointer temp files.
        foreach (var stale in Directory.GetDirectories(root, ".step-*.partial-*")) Directory.Delete(stale, true);
        foreach (var stale in Directory.GetFiles(root, ".latest.*.tmp")) File.Delete(stale);
        Directory.CreateDirectory(temp);
        foreach (var (file, tensors) in files) SafetensorsFile.Save(Path.Combine(temp, file), tensors);
        state["step"] = step;
        AtomicFile.WriteAllText(Path.Combine(temp, State), state.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var final = Path.Combine(root, name);
        if (Directory.Exists(final)) Directory.Delete(final, true);
        Directory.Move(temp, final);
        AtomicFile.WriteAllText(Path.Combine(root, "latest"), name);
        foreach (var old in Directory.GetDirectories(root, "step-*").Order().SkipLast(keep)) Directory.Delete(old, true);
    }

    /// <summary>The last complete checkpoint folder of <paramref name="run"/>, or null.</summary>
    public static string? Latest(string run)
    {
        var pointer = Path.Combine(Folder(run), "latest");
        if (File.Exists(pointer))
        {
            var dir = Path.Combine(Folder(run), File.ReadAllText(pointer).Trim());
            if (File.Exists(Path.Combine(dir, State))) return dir;
        }
        // The pointer may predate the newest folder (a crash between rename and pointer): take the newest complete one.
        return Directory.Exists(Folder(run))
            ? Directory.GetDirectories(Folder(run), "step-*").Order().LastOrDefault(d => File.Exists(Path.Combine(d, State)))
            : null;
    }

    public static JsonObject ReadState(string checkpoint) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint, State))) as JsonObject
        ?? throw new InvalidDataException($"{checkpoint}/{State} is not a JSON object");

    /// <summary>All tensors of one checkpoint file, as CPU tensors owned by the caller's scope.</summary>
    public static Dictionary<string, Tensor> Read(string checkpoint, string file)
    {
        using var f = SafetensorsFile.Open(Path.Combine(checkpoint, file));
        return f.Entries.Keys.ToDictionary(k => k, f.ReadTensor);
    }
}
