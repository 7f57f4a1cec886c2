namespace Workbench.Notebooks;

/// <summary>
/// Why a cell stopped the run: where (cell number, counting every cell from 1, and the line within it with its text)
/// and what (a compile error, an exception, a package that cannot be resolved, a timeout).
/// </summary>
public sealed record CellFailure(int Cell, int? Line, string? SourceLine, string Error, string Message)
{
    /// <summary>More lines: every compile error, or the stack frames that are in cells.</summary>
    public IReadOnlyList<string> Details { get; init; } = [];

    /// <summary><c>cell 3, line 2: var y = x / 0;</c></summary>
    public string Headline => Line is { } line ? $"cell {Cell}, line {line}: {SourceLine?.Trim()}" : $"cell {Cell}";

    public override string ToString() => string.Join("\n", new[] { Headline, Message }.Concat(Details));

    /// <summary>The nbformat error output for the cell.</summary>
    public CellOutput ToOutput() => CellOutput.Error(Error, Message, [Headline, Message, .. Details]);

    internal static string? LineOf(string source, int line)
    {
        var lines = source.Replace("\r\n", "\n").Split('\n');
        return line >= 1 && line <= lines.Length ? lines[line - 1] : null;
    }
}
