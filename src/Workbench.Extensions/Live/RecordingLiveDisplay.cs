namespace Workbench.Extensions;

/// <summary>
/// A live display that renders every show and update to HTML and keeps them: the last one of each output is what
/// a notebook would show at the end. For tests, and for a runner that writes outputs once a cell has finished.
/// </summary>
public sealed class RecordingLiveDisplay(HtmlOptions? options = null) : ILiveDisplay
{
    private readonly Lock _gate = new();
    private readonly List<Output> _outputs = [];

    public IReadOnlyList<Output> Outputs
    {
        get { lock (_gate) return _outputs.ToList(); }
    }

    public ILiveDisplayHandle Show(IHtmlView view)
    {
        var output = new Output(this);
        lock (_gate) _outputs.Add(output);
        output.Update(view);
        return output;
    }

    /// <summary>One shown output and every rendering it had, oldest first.</summary>
    public sealed class Output(RecordingLiveDisplay owner) : ILiveDisplayHandle
    {
        private readonly List<string> _renderings = [];

        public IReadOnlyList<string> Renderings
        {
            get { lock (owner._gate) return _renderings.ToList(); }
        }

        public string Latest
        {
            get { lock (owner._gate) return _renderings[^1]; }
        }

        public void Update(IHtmlView view)
        {
            var html = view.ToHtml(owner._options);
            lock (owner._gate) _renderings.Add(html);
        }
    }

    private readonly HtmlOptions _options = options ?? HtmlOptions.Referenced;
}
