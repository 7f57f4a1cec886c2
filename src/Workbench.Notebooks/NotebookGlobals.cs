using Workbench.Extensions;

namespace Workbench.Notebooks;

/// <summary>
/// What a cell sees besides its own code: <c>display(value)</c>, as in a .NET Interactive kernel. Members are
/// lower-case to match the kernel's names, so the same cells run in both.
/// </summary>
public sealed class NotebookGlobals
{
    private readonly NotebookSession _session;

    internal NotebookGlobals(NotebookSession session) => _session = session;

    /// <summary>
    /// Shows <paramref name="value"/> in the cell's output now (formatted as the kernel would, or in the given MIME
    /// types); the returned handle replaces it in place.
    /// </summary>
    public DisplayedValue display(object? value, params string[] mimeTypes) => _session.Display(value, mimeTypes);
}

/// <summary>A displayed output; <see cref="Update"/> replaces its content in place (.NET Interactive's DisplayedValue).</summary>
public sealed class DisplayedValue
{
    private readonly CellRecorder _recorder;
    private readonly CellOutput _output;
    private readonly string[] _mimeTypes;

    internal DisplayedValue(CellRecorder recorder, CellOutput output, string[] mimeTypes) => (_recorder, _output, _mimeTypes) = (recorder, output, mimeTypes);

    public void Update(object? value) => _recorder.Replace(_output, OutputFormatting.Format(value, _mimeTypes));
}

/// <summary>
/// The runner's live display: a live view (training curves, a progress bar) shown in a cell becomes that cell's output,
/// and its last state is written there when the cell ends, even when later cells change it (a notebook front-end
/// would have updated it in place).
/// </summary>
internal sealed class RunnerLiveDisplay(NotebookSession session) : ILiveDisplay
{
    public ILiveDisplayHandle Show(IHtmlView view)
    {
        var (recorder, output) = session.ShowLive(view);
        return new Handle(session, recorder, output);
    }

    private sealed class Handle(NotebookSession session, CellRecorder recorder, CellOutput output) : ILiveDisplayHandle
    {
        public void Update(IHtmlView view) => session.UpdateLive(recorder, output, view);
    }
}
