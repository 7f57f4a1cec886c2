using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workbench.Notebooks;

/// <summary>
/// A Jupyter notebook (nbformat 4) as Polyglot Notebooks writes it: kernelspec <c>.net-csharp</c>, language_info
/// <c>csharp</c>, each cell's <c>polyglot_notebook.kernelName</c>. Reading and writing keeps every key this class does
/// not model (notebook, cell and output metadata, attachments, ids), so a rewritten file differs only in outputs.
/// </summary>
public sealed class Notebook
{
    public const int FormatMajor = 4;

    public int FormatMinor { get; set; } = 5;
    /// <summary>The notebook's metadata as read (kernelspec, language_info, polyglot_notebook...).</summary>
    public JsonObject Metadata { get; set; } = NewMetadata();
    public List<NotebookCell> Cells { get; } = [];

    /// <summary>Top-level keys other than cells, metadata and the format numbers, kept as read.</summary>
    private JsonObject _otherKeys = [];

    /// <summary>The kernel that cells without a kernel of their own run in (<c>polyglot_notebook.kernelInfo.defaultKernelName</c>).</summary>
    public string DefaultKernel =>
        Metadata["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]?.GetValue<string>()
        ?? Metadata["kernelspec"]?["language"]?.GetValue<string>()
        ?? "csharp";

    /// <summary>A new, empty C# notebook with the metadata Polyglot Notebooks writes.</summary>
    public static JsonObject NewMetadata() => new()
    {
        ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
        ["language_info"] = new JsonObject { ["name"] = "csharp" },
        ["polyglot_notebook"] = new JsonObject
        {
            ["kernelInfo"] = new JsonObject
            {
                ["defaultKernelName"] = "csharp",
                ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp" }),
            },
        },
    };

    public NotebookCell AddCode(string source) => Add(new NotebookCell(CellType.Code, source));

    public NotebookCell AddMarkdown(string source) => Add(new NotebookCell(CellType.Markdown, source));

    private NotebookCell Add(NotebookCell cell)
    {
        Cells.Add(cell);
        return cell;
    }

    public static Notebook Load(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (FormatException e)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Reads an .ipynb document; throws <see cref="FormatException"/> saying what is wrong with it.</summary>
    public static Notebook Parse(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a notebook: invalid JSON ({e.Message})", e);
        }
        if (root is not JsonObject doc || doc["cells"] is not JsonArray cells)
            throw new FormatException("not a notebook: no \"cells\" array (only nbformat 4 notebooks are read)");
        int major = doc["nbformat"]?.GetValue<int>() ?? FormatMajor;
        if (major != FormatMajor) throw new FormatException($"nbformat {major} is not supported (only 4)");
        var notebook = new Notebook
        {
            FormatMinor = doc["nbformat_minor"]?.GetValue<int>() ?? 5,
            Metadata = doc["metadata"] is JsonObject m ? (JsonObject)m.DeepClone() : NewMetadata(),
        };
        foreach (var (key, value) in doc)
            if (key is not ("cells" or "metadata" or "nbformat" or "nbformat_minor")) notebook._otherKeys[key] = value?.DeepClone();
        int index = 0;
        foreach (var node in cells)
        {
            index++;
            if (node is not JsonObject cell) throw new FormatException($"cell {index} is not a JSON object");
            notebook.Cells.Add(NotebookCell.FromJson(cell, index));
        }
        return notebook;
    }

    public JsonObject ToJson()
    {
        var doc = new JsonObject { ["cells"] = new JsonArray(Cells.Select(c => (JsonNode)c.ToJson()).ToArray()), ["metadata"] = Metadata.DeepClone() };
        foreach (var (key, value) in _otherKeys) doc[key] = value?.DeepClone();
        doc["nbformat"] = FormatMajor;
        doc["nbformat_minor"] = FormatMinor;
        return doc;
    }

    /// <summary>The document as Jupyter writes it (one-space indent, a final newline).</summary>
    public override string ToString()
    {
        var options = new JsonSerializerOptions { WriteIndented = true, IndentSize = 1, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        return ToJson().ToJsonString(options) + "\n";
    }

    /// <summary>Writes the notebook (to a temporary name, then renamed).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToString());

    /// <summary>nbformat's multi-line strings: one string, or a list of lines that are joined.</summary>
    internal static string ReadText(JsonNode? node) => node switch
    {
        null => "",
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>() ?? "")),
        _ => node.GetValue<string>(),
    };

    /// <summary>Text as a list of lines, each keeping its newline (what Jupyter writes).</summary>
    internal static JsonArray WriteText(string text)
    {
        var lines = new JsonArray();
        int start = 0;
        for (int i = 0; i < text.Length; i++)
            if (text[i] == '\n')
            {
                lines.Add(text[start..(i + 1)]);
                start = i + 1;
            }
        if (start < text.Length) lines.Add(text[start..]);
        return lines;
    }
}

public enum CellType { Code, Markdown, Raw }

/// <summary>One cell: its source, metadata (kept as read) and, for code cells, outputs and execution count.</summary>
public sealed class NotebookCell(CellType type, string source)
{
    public CellType Type { get; } = type;
    public string Source { get; set; } = source;
    public JsonObject Metadata { get; set; } = type == CellType.Code ? CodeMetadata("csharp") : [];
    public List<CellOutput> Outputs { get; } = [];
    public int? ExecutionCount { get; set; }

    private JsonObject _otherKeys = [];

    /// <summary>The cell's kernel as Polyglot Notebooks records it (<c>polyglot_notebook.kernelName</c>), or null.</summary>
    public string? KernelName =>
        Metadata["polyglot_notebook"]?["kernelName"]?.GetValue<string>() ?? Metadata["dotnet_interactive"]?["language"]?.GetValue<string>();

    public static JsonObject CodeMetadata(string kernel) => new()
    {
        ["dotnet_interactive"] = new JsonObject { ["language"] = kernel },
        ["polyglot_notebook"] = new JsonObject { ["kernelName"] = kernel },
    };

    internal static NotebookCell FromJson(JsonObject json, int index)
    {
        var type = json["cell_type"]?.GetValue<string>() switch
        {
            "code" => CellType.Code,
            "markdown" => CellType.Markdown,
            "raw" => CellType.Raw,
            var other => throw new FormatException($"cell {index} has cell_type \"{other}\" (expected code, markdown or raw)"),
        };
        var cell = new NotebookCell(type, Notebook.ReadText(json["source"]))
        {
            Metadata = json["metadata"] is JsonObject m ? (JsonObject)m.DeepClone() : [],
            ExecutionCount = json["execution_count"]?.GetValue<int?>(),
        };
        if (json["outputs"] is JsonArray outputs)
            foreach (var output in outputs.OfType<JsonObject>()) cell.Outputs.Add(CellOutput.FromJson(output));
        foreach (var (key, value) in json)
            if (key is not ("cell_type" or "source" or "metadata" or "outputs" or "execution_count")) cell._otherKeys[key] = value?.DeepClone();
        return cell;
    }

    internal JsonObject ToJson()
    {
        var json = new JsonObject { ["cell_type"] = Type.ToString().ToLowerInvariant() };
        if (Type == CellType.Code) json["execution_count"] = ExecutionCount;
        foreach (var (key, value) in _otherKeys) json[key] = value?.DeepClone();
        json["metadata"] = Metadata.DeepClone();
        if (Type == CellType.Code) json["outputs"] = new JsonArray(Outputs.Select(o => (JsonNode)o.ToJson()).ToArray());
        json["source"] = Notebook.WriteText(Source);
        return json;
    }
}

/// <summary>What nbformat calls an output's kind.</summary>
public enum OutputType { Stream, DisplayData, ExecuteResult, Error }

/// <summary>
/// One output of a code cell: a stream (stdout/stderr text), displayed data or a cell's result (a MIME bundle: MIME
/// type → text), or an error (name, value, traceback).
/// </summary>
public sealed class CellOutput
{
    public OutputType Type { get; init; }
    /// <summary>stdout or stderr (streams).</summary>
    public string? StreamName { get; init; }
    /// <summary>The stream's text (streams).</summary>
    public StringBuilder Text { get; } = new();
    /// <summary>MIME type → content (display data, results).</summary>
    public Dictionary<string, string> Data { get; } = new(StringComparer.Ordinal);
    public JsonObject Metadata { get; init; } = [];
    public int? ExecutionCount { get; set; }
    public string? ErrorName { get; init; }
    public string? ErrorValue { get; init; }
    public List<string> Traceback { get; } = [];

    public static CellOutput Stream(string name, string text = "")
    {
        var output = new CellOutput { Type = OutputType.Stream, StreamName = name };
        output.Text.Append(text);
        return output;
    }

    public static CellOutput Display(IReadOnlyDictionary<string, string> data, OutputType type = OutputType.DisplayData)
    {
        var output = new CellOutput { Type = type };
        foreach (var (mime, content) in data) output.Data[mime] = content;
        return output;
    }

    public static CellOutput Error(string name, string value, IEnumerable<string> traceback)
    {
        var output = new CellOutput { Type = OutputType.Error, ErrorName = name, ErrorValue = value };
        output.Traceback.AddRange(traceback);
        return output;
    }

    internal static CellOutput FromJson(JsonObject json)
    {
        var kind = json["output_type"]?.GetValue<string>();
        var metadata = json["metadata"] is JsonObject m ? (JsonObject)m.DeepClone() : [];
        switch (kind)
        {
            case "stream":
                return Stream(json["name"]?.GetValue<string>() ?? "stdout", Notebook.ReadText(json["text"]));
            case "display_data" or "execute_result":
                var output = new CellOutput
                {
                    Type = kind == "display_data" ? OutputType.DisplayData : OutputType.ExecuteResult,
                    Metadata = metadata,
                    ExecutionCount = json["execution_count"]?.GetValue<int?>(),
                };
                if (json["data"] is JsonObject data)
                    foreach (var (mime, content) in data)
                        output.Data[mime] = IsText(content) ? Notebook.ReadText(content) : content?.ToJsonString() ?? "";
                return output;
            case "error":
                return Error(json["ename"]?.GetValue<string>() ?? "", json["evalue"]?.GetValue<string>() ?? "",
                    json["traceback"] is JsonArray t ? t.Select(l => l?.GetValue<string>() ?? "") : []);
            default:
                throw new FormatException($"unknown output_type \"{kind}\"");
        }
    }

    private static bool IsText(JsonNode? node) => node is JsonArray || node?.GetValueKind() == JsonValueKind.String;

    internal JsonObject ToJson() => Type switch
    {
        OutputType.Stream => new JsonObject { ["name"] = StreamName, ["output_type"] = "stream", ["text"] = Notebook.WriteText(Text.ToString()) },
        OutputType.Error => new JsonObject
        {
            ["ename"] = ErrorName, ["evalue"] = ErrorValue, ["output_type"] = "error",
            ["traceback"] = new JsonArray(Traceback.Select(l => (JsonNode?)l).ToArray()),
        },
        _ => WithCount(new JsonObject
        {
            ["data"] = new JsonObject(Data.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)DataValue(d.Key, d.Value)))),
            ["metadata"] = Metadata.DeepClone(),
            ["output_type"] = Type == OutputType.DisplayData ? "display_data" : "execute_result",
        }),
    };

    private JsonObject WithCount(JsonObject json)
    {
        if (Type == OutputType.ExecuteResult) json["execution_count"] = ExecutionCount;
        return json;
    }

    /// <summary>JSON MIME types are stored as JSON, text as a list of lines.</summary>
    private static JsonNode DataValue(string mime, string content) =>
        mime.EndsWith("json", StringComparison.Ordinal) && TryParse(content) is { } json ? json : Notebook.WriteText(content);

    private static JsonNode? TryParse(string content)
    {
        try { return JsonNode.Parse(content); }
        catch (JsonException) { return null; }
    }
}
