using System.Text;
using Microsoft.DotNet.Interactive.Formatting;

namespace Workbench.Notebooks;

/// <summary>
/// Collects a running cell's outputs in the order they happen: console text (consecutive writes to one stream are one
/// output, as Jupyter shows them), displayed values and the cell's result. Thread-safe: work may print or display
/// from other threads.
/// </summary>
internal sealed class CellRecorder(NotebookCell cell)
{
    private readonly Lock _gate = new();

    public NotebookCell Cell { get; } = cell;

    public void Write(string stream, string text)
    {
        if (text.Length == 0) return;
        lock (_gate)
        {
            if (Cell.Outputs.Count > 0 && Cell.Outputs[^1] is { Type: OutputType.Stream } last && last.StreamName == stream) last.Text.Append(text);
            else Cell.Outputs.Add(CellOutput.Stream(stream, text));
        }
    }

    public CellOutput Add(CellOutput output)
    {
        lock (_gate) Cell.Outputs.Add(output);
        return output;
    }

    /// <summary>Replaces a shown output's content in place (a display handle's update, a live view's final state).</summary>
    public void Replace(CellOutput output, IReadOnlyDictionary<string, string> data)
    {
        lock (_gate)
        {
            output.Data.Clear();
            foreach (var (mime, content) in data) output.Data[mime] = content;
        }
    }
}

/// <summary>Console.Out / Console.Error while cells run: text goes to the running cell's outputs as a stream.</summary>
internal sealed class RecordingWriter(Func<CellRecorder?> target, string stream, TextWriter outside) : TextWriter
{
    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => Write(value.ToString());

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        if (target() is { } recorder) recorder.Write(stream, value);
        else outside.Write(value);
    }

    public override void WriteLine(string? value) => Write((value ?? "") + NewLine);
}

/// <summary>
/// Values as a kernel shows them: through Microsoft.DotNet.Interactive.Formatting, in the type's preferred MIME types
/// (<c>text/html</c> for Workbench's views and most objects once their formatters are registered) and always
/// <c>text/plain</c>.
/// </summary>
public static class OutputFormatting
{
    public const string Html = "text/html";
    public const string PlainText = "text/plain";

    public static IReadOnlyDictionary<string, string> Format(object? value, IReadOnlyCollection<string>? mimeTypes = null)
    {
        var bundle = new Dictionary<string, string>(StringComparer.Ordinal);
        var types = mimeTypes is { Count: > 0 } ? mimeTypes : value is null ? [PlainText] : Formatter.GetPreferredMimeTypesFor(value.GetType()).ToList();
        foreach (var mime in types.Append(PlainText).Distinct())
            bundle[mime] = value is null ? "<null>" : Formatter.ToDisplayString(value, mime);
        return bundle;
    }
}
