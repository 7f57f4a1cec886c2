using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Workbench.Cli.Bench;

/// <summary>
/// A running Python script of bench/ that answers requests, one JSON object per line each way, so the two sides
/// of a benchmark can take turns row by row in one run (same machine state, and each side frees its memory
/// before the other measures). The script's first line introduces it (e.g. its torch version); its stderr is
/// passed through as progress.
/// </summary>
internal sealed class PythonReference : IDisposable
{
    private readonly Process _process;

    public JsonObject Hello { get; }

    private PythonReference(Process process, JsonObject hello) => (_process, Hello) = (process, hello);

    /// <summary>Starts <paramref name="python"/> on bench/<paramref name="script"/>; null (with the reason) if it cannot run.</summary>
    public static PythonReference? Start(string python, string script, IEnumerable<string> arguments, out string? failure)
    {
        failure = null;
        var start = new ProcessStartInfo(python, [BenchCommand.ScriptPath(script), .. arguments])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        Process process;
        try { process = Process.Start(start)!; }
        catch (Exception e)
        {
            failure = $"could not start {python}: {e.Message}";
            return null;
        }
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("  [python] " + e.Data); };
        process.BeginErrorReadLine();
        if (process.StandardOutput.ReadLine() is not { } line)
        {
            process.WaitForExit();
            failure = $"{python} {script} exited with {process.ExitCode} before answering (see its messages above)";
            return null;
        }
        return new PythonReference(process, JsonNode.Parse(line)!.AsObject());
    }

    /// <summary>Sends one request and waits for its answer.</summary>
    public JsonObject Ask(JsonObject request)
    {
        _process.StandardInput.WriteLine(request.ToJsonString());
        _process.StandardInput.Flush();
        var line = _process.StandardOutput.ReadLine()
            ?? throw new InvalidOperationException($"the Python reference exited (code {(_process.WaitForExit(5000) ? _process.ExitCode : -1)}) without answering {request.ToJsonString()}");
        return JsonNode.Parse(line)!.AsObject();
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(30_000)) _process.Kill();
        }
        finally { _process.Dispose(); }
    }
}
