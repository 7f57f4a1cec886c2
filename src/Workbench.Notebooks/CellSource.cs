using System.Text;
using System.Text.RegularExpressions;

namespace Workbench.Notebooks;

/// <summary>The kernels a part of a cell can name; the runner runs C# and shows Markdown, and skips the others.</summary>
public enum CellKernel { CSharp, Markdown, Other }

/// <summary>
/// A run of a cell's lines in one kernel. <see cref="Code"/> has the cell's line count up to the part's end, the lines
/// of other parts and of handled directives blank, so compiler and stack-trace line numbers are the cell's own.
/// </summary>
public sealed record CellPart(CellKernel Kernel, string KernelName, string Code, int FirstLine)
{
    /// <summary><c>#r "nuget: Name[, version]"</c> lines of this part (C# only), blanked in <see cref="Code"/>.</summary>
    public IReadOnlyList<PackageDirective> Packages { get; init; } = [];
}

/// <summary>A <c>#r "nuget: ..."</c> line: the package, its version if given, the cell line it is on.</summary>
public sealed record PackageDirective(string Name, string? Version, int Line, string Text);

/// <summary>
/// Splits a code cell the way Polyglot Notebooks does: a line <c>#!csharp</c>, <c>#!markdown</c>, <c>#!fsharp</c>...
/// switches the kernel for the lines after it; other <c>#!</c> magic commands (<c>#!time</c>, <c>#!about</c>) are
/// ignored with a warning; <c>#i</c> (package sources) is ignored; <c>#r "nuget: ..."</c> lines are taken out for the
/// runner to resolve (plain <c>#r "file.dll"</c> stays for Roslyn).
/// </summary>
public static partial class CellSource
{
    public static IReadOnlyList<CellPart> Split(string source, string defaultKernel, ICollection<string> warnings)
    {
        var lines = source.Replace("\r\n", "\n").Split('\n');
        var parts = new List<CellPart>();
        string kernelName = defaultKernel;
        int first = 1;
        var code = new StringBuilder();
        var packages = new List<PackageDirective>();
        bool hasContent = false;

        void Close(int nextFirst)
        {
            if (hasContent) parts.Add(new CellPart(KernelOf(kernelName), kernelName, code.ToString(), first) { Packages = packages.ToList() });
            code.Clear();
            packages.Clear();
            hasContent = false;
            for (int i = 1; i < nextFirst; i++) code.Append('\n');          // the part's lines keep the cell's numbers
            first = nextFirst;
        }

        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            int number = i + 1;
            var trimmed = line.Trim();
            if (trimmed.StartsWith("#!", StringComparison.Ordinal) && MagicName().Match(trimmed) is { Success: true } magic)
            {
                var name = magic.Groups[1].Value;
                if (IsKernelName(name))
                {
                    Close(number + 1);
                    kernelName = name;
                    continue;
                }
                warnings.Add($"line {number}: magic command {trimmed} is ignored (the runner runs C# cells only)");
                code.Append('\n');
                continue;
            }
            if (KernelOf(kernelName) == CellKernel.CSharp)
            {
                if (NugetReference().Match(line) is { Success: true } nuget)
                {
                    var version = nuget.Groups[2].Success ? nuget.Groups[2].Value.Trim() : null;
                    packages.Add(new PackageDirective(nuget.Groups[1].Value.Trim(), string.IsNullOrEmpty(version) ? null : version, number, trimmed));
                    code.Append('\n');
                    hasContent = true;
                    continue;
                }
                if (PackageSource().IsMatch(line))
                {
                    code.Append('\n');                                     // #i "nuget: source": the runner never downloads
                    continue;
                }
            }
            code.Append(line).Append(i < lines.Length - 1 ? "\n" : "");
            if (trimmed.Length > 0) hasContent = true;
        }
        Close(lines.Length + 1);
        return parts;
    }

    /// <summary>The kernel a name (a <c>#!</c> line, a cell's metadata) stands for, as Polyglot Notebooks names them.</summary>
    public static CellKernel KernelOf(string name) => name.ToLowerInvariant() switch
    {
        "csharp" or "c#" => CellKernel.CSharp,
        "markdown" or "md" => CellKernel.Markdown,
        _ => CellKernel.Other,
    };

    private static bool IsKernelName(string name) => KernelOf(name) != CellKernel.Other || OtherKernels.Contains(name);

    /// <summary>The other kernels Polyglot Notebooks ships or connects (their parts are skipped, with a warning).</summary>
    private static readonly HashSet<string> OtherKernels = new(StringComparer.OrdinalIgnoreCase)
    {
        "fsharp", "f#", "pwsh", "powershell", "javascript", "js", "html", "mermaid", "sql", "kql", "http", "value", "python", "r",
    };

    [GeneratedRegex(@"^#!([A-Za-z#][\w#.-]*)")]
    private static partial Regex MagicName();

    [GeneratedRegex(@"^\s*#r\s+""nuget:\s*([^,""]+?)\s*(?:,\s*([^""]*))?""\s*(//.*)?$")]
    private static partial Regex NugetReference();

    [GeneratedRegex(@"^\s*#i\s+""")]
    private static partial Regex PackageSource();
}
