using System.Diagnostics;
using System.Text;

namespace Workbench.Training.Tests;

/// <summary>
/// <c>workbench</c> (the CLI next to the tests) as a child process that can neither block nor outlive a test:
/// stdout and stderr are drained as they come (a child writing into a full, unread pipe waits for ever), stdin
/// is closed, every wait has a time limit, and the whole process tree is killed on the way out.
/// </summary>
internal sealed class WorkbenchProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _command;

    private WorkbenchProcess(IReadOnlyList<string> args)
    {
        _command = "workbench " + string.Join(" ", args);
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Workbench.Cli.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // The test host's diagnostics settings would make the child wait for a debugger or tracer of its own.
        foreach (var name in start.Environment.Keys.Where(IsDiagnosticsSetting).ToList()) start.Environment.Remove(name);
        start.Environment["WORKBENCH_DEBUG"] = "1"; // stack traces in the output if it fails
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private static bool IsDiagnosticsSetting(string name) =>
        name.Contains("DiagnosticPort", StringComparison.OrdinalIgnoreCase) || name.EndsWith("STARTUP_HOOKS", StringComparison.OrdinalIgnoreCase)
        || name.Contains("EnableDiagnostics", StringComparison.OrdinalIgnoreCase);

    public static WorkbenchProcess Start(params string[] args) => new(args);

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    private void Append(string? line)
    {
        if (line is not null) lock (_output) _output.AppendLine(line);
    }

    /// <summary>Waits for the child to exit on its own; returns its exit code. Past <paramref name="limit"/> it is killed and the test fails.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan limit, CancellationToken cancel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(limit);
        try { await _process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"`{_command}` did not finish in {limit.TotalSeconds} s; its output:\n{Output}");
        }
        return _process.ExitCode;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails if the child exits first or the limit passes.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan limit, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"`{_command}` exited ({_process.ExitCode}) before {what}; its output:\n{Output}");
            if (clock.Elapsed > limit)
                throw new TimeoutException($"no {what} after {limit.TotalSeconds} s of `{_command}`; its output:\n{Output}");
            await Task.Delay(10, cancel);
        }
    }

    /// <summary>SIGKILL to the child and anything it started, then waits (bounded) for it to be gone.</summary>
    public void Kill()
    {
        try { _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { } // already exited
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
            throw new TimeoutException($"`{_command}` (pid {_process.Id}) survived SIGKILL for 30 s");
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }
}
