using System.Text.Json;
using static Workbench.Notebooks.Tests.TestNotebooks;

namespace Workbench.Notebooks.Tests;

/// <summary>The .ipynb the runner writes is nbformat 4 JSON that reads back, with every key it does not model kept.</summary>
public sealed class NotebookFileTests
{
    private const string WithExtraKeys = """
        {
         "cells": [
          { "cell_type": "markdown", "id": "intro", "metadata": { "tags": ["keep"] }, "source": "# Title" },
          { "cell_type": "code", "execution_count": 7, "id": "answer", "metadata": { "polyglot_notebook": { "kernelName": "csharp" }, "collapsed": true },
            "outputs": [ { "output_type": "stream", "name": "stdout", "text": ["stale\n"] } ],
            "source": ["var answer = 6 * 7;\n", "answer"] }
         ],
         "metadata": {
          "kernelspec": { "display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp" },
          "language_info": { "name": "csharp" },
          "polyglot_notebook": { "kernelInfo": { "defaultKernelName": "csharp", "items": [ { "aliases": [], "name": "csharp" } ] } },
          "authors": [ { "name": "someone" } ]
         },
         "nbformat": 4,
         "nbformat_minor": 5
        }
        """;

    [Fact]
    public async Task TheExecutedNotebookIsValidJsonThatReadsBackWithItsMetadata()
    {
        var notebook = Notebook.Parse(WithExtraKeys);
        var result = await Run(notebook, nameof(TheExecutedNotebookIsValidJsonThatReadsBackWithItsMetadata));
        Assert.True(result.Succeeded, result.Failure?.ToString());
        var path = Path.Combine(Folder(nameof(TheExecutedNotebookIsValidJsonThatReadsBackWithItsMetadata) + "-out"), "executed.ipynb");
        result.Notebook.Save(path);

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        Assert.Equal(4, root.GetProperty("nbformat").GetInt32());
        Assert.Equal(".net-csharp", root.GetProperty("metadata").GetProperty("kernelspec").GetProperty("name").GetString());
        Assert.Equal("someone", root.GetProperty("metadata").GetProperty("authors")[0].GetProperty("name").GetString());
        var cells = root.GetProperty("cells");
        Assert.Equal("intro", cells[0].GetProperty("id").GetString());
        Assert.Equal("keep", cells[0].GetProperty("metadata").GetProperty("tags")[0].GetString());
        var code = cells[1];
        Assert.Equal("answer", code.GetProperty("id").GetString());
        Assert.True(code.GetProperty("metadata").GetProperty("collapsed").GetBoolean());
        Assert.Equal(1, code.GetProperty("execution_count").GetInt32());
        var output = Assert.Single(code.GetProperty("outputs").EnumerateArray());          // the stale output is gone
        Assert.Equal("execute_result", output.GetProperty("output_type").GetString());
        Assert.Equal(1, output.GetProperty("execution_count").GetInt32());
        Assert.Equal("42", output.GetProperty("data").GetProperty("text/plain")[0].GetString());
        Assert.Equal(["var answer = 6 * 7;\n", "answer"], code.GetProperty("source").EnumerateArray().Select(l => l.GetString()));

        var reread = Notebook.Load(path);
        Assert.Equal(result.Notebook.ToString(), reread.ToString());                       // writing what was read changes nothing
        Assert.Equal("42", Single(reread.Cells[1], OutputType.ExecuteResult).Data["text/plain"]);
    }

    [Fact]
    public void ANewNotebookHasPolyglotMetadata()
    {
        var notebook = new Notebook();
        notebook.AddCode("1 + 1");
        using var json = JsonDocument.Parse(notebook.ToString());
        var metadata = json.RootElement.GetProperty("metadata");
        Assert.Equal(".net-csharp", metadata.GetProperty("kernelspec").GetProperty("name").GetString());
        Assert.Equal("csharp", metadata.GetProperty("language_info").GetProperty("name").GetString());
        Assert.Equal("csharp", json.RootElement.GetProperty("cells")[0].GetProperty("metadata").GetProperty("polyglot_notebook").GetProperty("kernelName").GetString());
        Assert.Equal("csharp", notebook.DefaultKernel);
    }

    [Theory]
    [InlineData("{", "not a notebook: invalid JSON")]
    [InlineData("{\"cells\": 3}", "not a notebook: no \"cells\" array")]
    [InlineData("{\"cells\": [], \"nbformat\": 3}", "nbformat 3 is not supported")]
    [InlineData("{\"cells\": [{\"cell_type\": \"heading\"}]}", "cell 1 has cell_type \"heading\"")]
    public void BadNotebooksSayWhatIsWrong(string json, string message)
    {
        var error = Assert.Throws<FormatException>(() => Notebook.Parse(json));
        Assert.StartsWith(message, error.Message);
    }
}
