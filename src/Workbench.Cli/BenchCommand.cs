using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Workbench.Cli.Bench;

namespace Workbench.Cli;

/// <summary>
/// <c>workbench bench</c>: per-op call overhead and conv3d / attention / matmul throughput through the
/// Workbench API, and, in the same run, the identical cases in PyTorch (bench/torch_ops.py) as a ratio.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N]", DefaultValueFactory = _ => "cpu" };
        var python = new Option<string?>("--python") { Description = "python with torch for the side-by-side column (default: /usr/bin/python3 if it has torch; 'none' to skip)" };
        var markdown = new Option<bool>("--markdown") { Description = "print the table as Markdown (for docs/benchmarks.md)" };
        var command = new Command("bench", "measure per-op overhead and conv3d / attention / matmul throughput, side by side with PyTorch")
        {
            device, python, markdown,
        };
        command.SetAction(parse => Run(parse.GetValue(device)!, parse.GetValue(python), parse.GetValue(markdown)));
        command.Subcommands.Add(DataBenchmark.Create());
        command.Subcommands.Add(TokenMergingBenchmark.Create());
        command.Subcommands.Add(DiTBenchmark.Create());
        command.Subcommands.Add(DiTParity.Create());
        return command;
    }

    private static OpCase[] Cases(string device) => device.StartsWith("cuda")
        ?
        [
            new("add_small", [1], "float32", device),
            new("add", [1 << 24], "float32", device),
            new("matmul", [8192, 8192, 8192], "bfloat16", device),
            new("matmul", [4096, 4096, 4096], "float32", device),
            new("conv3d", [8, 128, 16, 32, 32, 128], "bfloat16", device),
            new("attention", [8, 16, 4096, 64], "bfloat16", device),
            new("attention", [4, 16, 8192, 64], "bfloat16", device),
        ]
        :
        [
            new("add_small", [1], "float32", device),
            new("add", [1 << 20], "float32", device),
            new("matmul", [512, 512, 512], "float32", device),
            new("matmul", [1024, 1024, 1024], "float32", device),
            new("conv3d", [1, 32, 8, 32, 32, 32], "float32", device),
            new("attention", [1, 4, 1024, 64], "float32", device),
        ];

    private static int Run(string device, string? python, bool markdown)
    {
        var cases = Cases(device);
        var ours = new double[cases.Length];
        AnsiConsole.MarkupLine($"[bold]workbench bench[/] on {Markup.Escape(device)}: libtorch {Torch.Torch.Version}, {Torch.Torch.Threads} threads");
        for (int i = 0; i < cases.Length; i++)
        {
            ours[i] = OpBenchmark.SecondsPerCall(cases[i]);
            Console.Error.WriteLine($"  workbench  {cases[i].Label}: {Describe(cases[i], ours[i])}");
        }
        var py = ResolvePython(python);
        var (theirs, torchVersion) = RunPython(py, cases, sameMalloc: false);
        // On the CPU, also run PyTorch with the bridge's malloc tuning (as GLIBC_TUNABLES), to show how much
        // of a difference is the allocator rather than the call path.
        double?[]? tuned = device == "cpu" && py is not null ? RunPython(py, cases, sameMalloc: true).Seconds : null;
        Print(cases, ours, theirs, tuned, torchVersion, markdown);
        return 0;
    }

    internal static string? ResolvePython(string? python)
    {
        if (python == "none") return null;
        if (python is not null) return python;
        return File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    }

    /// <summary>A script of the repository's bench/ folder (found upward from here or from the binary).</summary>
    internal static string ScriptPath(string name = "torch_ops.py")
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "bench", name);
                if (File.Exists(candidate)) return candidate;
            }
        throw new FileNotFoundException($"bench/{name} was not found above the current directory or the workbench binary");
    }

    // The bridge's mallopt settings (Native/bridge.cpp), in glibc's environment form.
    private const string BridgeMallocTunables = "glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=1073741824";

    private static (double?[] Seconds, string? TorchVersion) RunPython(string? python, OpCase[] cases, bool sameMalloc)
    {
        var seconds = new double?[cases.Length];
        if (python is null) return (seconds, null);
        var start = new ProcessStartInfo(python, [ScriptPath()])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        if (sameMalloc) start.Environment["GLIBC_TUNABLES"] = BridgeMallocTunables;
        Process process;
        try { process = Process.Start(start)!; }
        catch (Exception e)
        {
            AnsiConsole.MarkupLine($"[yellow]PyTorch column skipped: could not start {Markup.Escape(python)}: {Markup.Escape(e.Message)}[/]");
            return (seconds, null);
        }
        var spec = cases.Select(c => new { kind = c.Kind, sizes = c.Sizes, dtype = c.DType, device = c.Device });
        process.StandardInput.Write(JsonSerializer.Serialize(spec));
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        string? version = null;
        int index = 0;
        while (process.StandardOutput.ReadLine() is { } line)
        {
            using var json = JsonDocument.Parse(line);
            if (json.RootElement.TryGetProperty("torch", out var v)) { version = v.GetString(); continue; }
            seconds[index] = json.RootElement.GetProperty("seconds").GetDouble();
            Console.Error.WriteLine($"  pytorch{(sameMalloc ? "*" : " ")}   {cases[index].Label}: {Describe(cases[index], seconds[index]!.Value)}");
            index++;
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            AnsiConsole.MarkupLine($"[yellow]PyTorch column incomplete: {Markup.Escape(python)} exited with {process.ExitCode}: {Markup.Escape(stderr.Result.Trim())}[/]");
        return (seconds, version);
    }

    private static string Describe(OpCase c, double seconds)
    {
        if (c.Flops == 0) return $"{seconds * 1e6:F2} µs/call";
        double rate = c.Flops / seconds;
        var throughput = rate >= 1e13 ? $"{rate / 1e12:F1} TFLOP/s" : $"{rate / 1e9:F1} GFLOP/s";
        return $"{throughput} ({seconds * 1e3:F3} ms)";
    }

    private static void Print(OpCase[] cases, double[] ours, double?[] theirs, double?[]? tuned, string? torchVersion, bool markdown)
    {
        // Throughput ratios: > 1 means Workbench is faster.
        string Ratio(double? python, double workbench) => python is { } p ? (p / workbench).ToString("F2", CultureInfo.InvariantCulture) : "-";
        var header = new List<string> { "op", "dtype", "Workbench (C#)", $"PyTorch {torchVersion ?? "(not run)"}", "ratio WB/PT" };
        if (tuned is not null) header.AddRange(["PyTorch, bridge's malloc tuning", "ratio WB/PT*"]);
        var rows = cases.Select((c, i) =>
        {
            var row = new List<string> { c.Label, c.DType, Describe(c, ours[i]), theirs[i] is { } t ? Describe(c, t) : "-", Ratio(theirs[i], ours[i]) };
            if (tuned is not null) row.AddRange([tuned[i] is { } u ? Describe(c, u) : "-", Ratio(tuned[i], ours[i])]);
            return row;
        }).ToList();
        Tables.Print(header, rows, markdown);
        if (markdown) return;
        AnsiConsole.MarkupLine("ratio = Workbench throughput / PyTorch throughput (> 1: Workbench faster), measured in this run.");
    }
}
