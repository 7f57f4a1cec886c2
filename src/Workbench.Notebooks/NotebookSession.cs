using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.DotNet.Interactive.Formatting;
using Workbench.Extensions;
using Workbench.Extensions.Plotly;

namespace Workbench.Notebooks;

/// <summary>
/// One notebook's execution state: a chain of Roslyn script submissions, one per C# part of a cell, each continuing
/// the previous one (variables, functions, usings and references carry over; compiling a later cell reuses the
/// earlier compilations), plus the cell whose outputs are being recorded and the live views shown so far.
/// </summary>
internal sealed class NotebookSession
{
    /// <summary>What a C# cell in .NET Interactive can use without a using directive.</summary>
    public static readonly string[] Imports =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Text", "System.Threading.Tasks", "Microsoft.DotNet.Interactive.Formatting"];

    private readonly WorkbenchPackages _packages;
    private readonly HashSet<string> _referencedPackages = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _liveGate = new();
    private readonly Dictionary<CellOutput, (CellRecorder Recorder, IHtmlView View)> _pendingLive = [];
    private ScriptOptions _options;
    private ScriptState<object>? _state;
    private CellRecorder? _current;

    public NotebookSession(string folder, WorkbenchPackages packages)
    {
        _packages = packages;
        Globals = new NotebookGlobals(this);
        LiveDisplay = new RunnerLiveDisplay(this);
        _options = ScriptOptions.Default
            .WithReferences(FrameworkAssemblies())
            .AddReferences(typeof(Formatter).Assembly, typeof(NotebookGlobals).Assembly)
            .WithImports(Imports)
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(folder).WithSearchPaths(folder))
            .WithSourceResolver(new SourceFileResolver([folder], folder))
            .WithEmitDebugInformation(true)       // line numbers in stack traces (debug code: no frame is inlined away)
            .WithFileEncoding(Encoding.UTF8)
            .WithAllowUnsafe(true);
    }

    public NotebookGlobals Globals { get; }

    public ILiveDisplay LiveDisplay { get; }

    /// <summary>The cell whose outputs console text and displays go to (the last one run, between cells).</summary>
    public CellRecorder? Current
    {
        get => Volatile.Read(ref _current);
        set => Volatile.Write(ref _current, value);
    }

    /// <summary>Compiles the (empty) start of the chain: the first compile's fixed cost (~1.5 s) is paid here.</summary>
    public void Start()
    {
        _state = CSharpScript.Create<object>("", _options, typeof(NotebookGlobals)).RunAsync(Globals).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Adds the assemblies of <c>#r "nuget: ..."</c> packages to this and later cells. Referencing Workbench.Extensions
    /// does what its extension.dib does in a kernel: registers the formatters, with live views shown by this runner.
    /// </summary>
    public void Reference(IEnumerable<PackageDirective> packages)
    {
        foreach (var package in packages)
        {
            var (name, paths) = _packages.Resolve(package);
            if (!_referencedPackages.Add(name)) continue;
            _options = _options.AddReferences(paths.Select(p => MetadataReference.CreateFromFile(p)));
            if (name == WorkbenchPackages.Extensions) WorkbenchExtension.Enable(PlotlyLoading.Reference, LiveDisplay);
        }
    }

    /// <summary>
    /// Compiles and runs one C# part of cell <paramref name="cell"/> (call on the cell thread); records its value.
    /// Returns the failure, or null.
    /// </summary>
    public CellFailure? Execute(CellPart part, int cell, string cellSource)
    {
        var script = _state!.Script.ContinueWith<object>(part.Code, _options.WithFilePath(CellFile(cell)));
        var errors = script.Compile().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0) return CompileFailure(errors, cell, cellSource);
        var state = script.RunFromAsync(_state, catchException: _ => true).GetAwaiter().GetResult();
        if (state.Exception is { } exception) return RuntimeFailure(exception, cell, cellSource);
        _state = state;
        if (state.ReturnValue is { } value)
        {
            try
            {
                Current!.Add(CellOutput.Display(OutputFormatting.Format(value), OutputType.ExecuteResult));
            }
            catch (Exception e)
            {
                return new CellFailure(cell, null, null, e.GetType().Name, $"formatting the cell's value ({value.GetType()}) failed: {e.Message}");
            }
        }
        return null;
    }

    public DisplayedValue Display(object? value, string[] mimeTypes)
    {
        var recorder = Current ?? throw new InvalidOperationException("display() was called outside a cell");
        var output = recorder.Add(CellOutput.Display(OutputFormatting.Format(value, mimeTypes)));
        return new DisplayedValue(recorder, output, mimeTypes);
    }

    public (CellRecorder Recorder, CellOutput Output) ShowLive(IHtmlView view)
    {
        var recorder = Current ?? throw new InvalidOperationException("a live view was shown outside a cell");
        return (recorder, recorder.Add(CellOutput.Display(LiveBundle(view))));
    }

    /// <summary>Live views update often (every 250 ms while training): only remember the view; it is rendered at the cell's end.</summary>
    public void UpdateLive(CellRecorder recorder, CellOutput output, IHtmlView view)
    {
        lock (_liveGate) _pendingLive[output] = (recorder, view);
    }

    /// <summary>Writes the current state of every live view updated since the last call into its output.</summary>
    public void RenderLiveViews()
    {
        List<KeyValuePair<CellOutput, (CellRecorder Recorder, IHtmlView View)>> pending;
        lock (_liveGate)
        {
            pending = _pendingLive.ToList();
            _pendingLive.Clear();
        }
        foreach (var (output, (recorder, view)) in pending) recorder.Replace(output, LiveBundle(view));
    }

    /// <summary>A live view renders itself (its formatter does the same), without the kernel's reflective text/plain.</summary>
    private static Dictionary<string, string> LiveBundle(IHtmlView view) => new()
    {
        [OutputFormatting.Html] = view.ToHtml(),
        [OutputFormatting.PlainText] = view.GetType().Name,
    };

    /// <summary>The name a cell's code has in compiler messages and stack traces.</summary>
    public static string CellFile(int cell) => $"cell{cell}.csx";

    private static CellFailure CompileFailure(List<Diagnostic> errors, int cell, string source)
    {
        int? LineOf(Diagnostic d) => d.Location.IsInSource ? d.Location.GetLineSpan().StartLinePosition.Line + 1 : null;
        var first = errors[0];
        var line = LineOf(first);
        var details = errors.Skip(1).Select(d => LineOf(d) is { } l ? $"line {l}: error {d.Id}: {d.GetMessage()}" : $"error {d.Id}: {d.GetMessage()}");
        return new CellFailure(cell, line, line is { } n ? CellFailure.LineOf(source, n) : null, "CompilationError", $"error {first.Id}: {first.GetMessage()}")
        {
            Details = details.ToList(),
        };
    }

    private static CellFailure RuntimeFailure(Exception exception, int cell, string source)
    {
        while (exception is TargetInvocationException { InnerException: { } inner }) exception = inner;
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate) exception = aggregate.InnerExceptions[0];
        // Frames in cells, innermost first: "at F(Int32) in cell 2, line 2".
        var frames = new StackTrace(exception, fNeedFileInfo: true).GetFrames()
            .Select(f => (Frame: f, Cell: CellOf(f.GetFileName())))
            .Where(f => f.Cell is not null && f.Frame.GetFileLineNumber() > 0)
            .ToList();
        int? line = frames.FirstOrDefault(f => f.Cell == cell).Frame?.GetFileLineNumber();
        var details = frames.Select(f => $"   at {MethodName(f.Frame.GetMethod())} in cell {f.Cell}, line {f.Frame.GetFileLineNumber()}").ToList();
        return new CellFailure(cell, line, line is { } n ? CellFailure.LineOf(source, n) : null, exception.GetType().Name, $"{exception.GetType().FullName}: {exception.Message}")
        {
            Details = details,
        };
    }

    private static int? CellOf(string? file)
    {
        var name = Path.GetFileName(file);
        return name is not null && name.StartsWith("cell", StringComparison.Ordinal) && name.EndsWith(".csx", StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(4, name.Length - 8), out int n) ? n : null;
    }

    /// <summary>A method as a reader knows it: top-level code is the cell, a local function its own name.</summary>
    private static string MethodName(MethodBase? method)
    {
        if (method is null) return "?";
        var type = method.DeclaringType;
        if (method.Name == "MoveNext" && type?.Name is { } stateMachine && stateMachine.Contains("<Initialize>")) return "cell code";
        if (type?.Name is { } name && name.StartsWith("Submission#", StringComparison.Ordinal)) return method.Name == "<Initialize>" ? "cell code" : method.Name;
        return $"{type?.Name}.{method.Name}";
    }

    /// <summary>Every assembly of the shared framework (what a .NET Interactive cell can use without <c>#r</c>).</summary>
    private static IEnumerable<MetadataReference> FrameworkAssemblies()
    {
        var folder = RuntimeEnvironment.GetRuntimeDirectory();
        return Directory.EnumerateFiles(folder, "*.dll")
            .Where(p => Path.GetFileName(p) is var f && (f.StartsWith("System.", StringComparison.Ordinal) || f.StartsWith("Microsoft.", StringComparison.Ordinal) || f == "netstandard.dll" || f == "mscorlib.dll"))
            .Where(IsManagedAssembly)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p));
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
