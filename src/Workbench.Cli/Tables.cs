using Spectre.Console;

namespace Workbench.Cli;

/// <summary>Prints a result table either for the terminal (Spectre) or as Markdown (for docs/benchmarks.md).</summary>
internal static class Tables
{
    public static void Print(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, bool markdown)
    {
        if (markdown)
        {
            Console.WriteLine("| " + string.Join(" | ", header) + " |");
            Console.WriteLine("|" + string.Concat(header.Select(_ => "---|")));
            foreach (var r in rows) Console.WriteLine("| " + string.Join(" | ", r) + " |");
            return;
        }
        var table = new Table();
        foreach (var h in header) table.AddColumn(Markup.Escape(h));
        foreach (var r in rows) table.AddRow(r.Select(Markup.Escape).ToArray());
        AnsiConsole.Write(table);
    }
}
