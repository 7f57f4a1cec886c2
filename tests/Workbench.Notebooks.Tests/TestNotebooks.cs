namespace Workbench.Notebooks.Tests;

/// <summary>Notebooks for the tests: the samples in notebooks/, and small ones built in a temporary folder.</summary>
internal static class TestNotebooks
{
    /// <summary>A sample notebook copied next to the test program (notebooks/NAME.ipynb).</summary>
    public static string Sample(string name) => Path.Combine(AppContext.BaseDirectory, "notebooks", name + ".ipynb");

    /// <summary>A fresh folder for one test's notebooks and outputs (under the output folder's artifacts/, never committed).</summary>
    public static string Folder(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "artifacts", "runs", name);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>A notebook of code cells.</summary>
    public static Notebook Code(params string[] cells)
    {
        var notebook = new Notebook();
        foreach (var cell in cells) notebook.AddCode(cell);
        return notebook;
    }

    /// <summary>Runs <paramref name="notebook"/> in a fresh folder named after the test.</summary>
    public static Task<NotebookRunResult> Run(Notebook notebook, string name, NotebookRunnerOptions? options = null) =>
        new NotebookRunner(options).RunAsync(notebook, Folder(name), TestContext.Current.CancellationToken);

    /// <summary>The repository root (the folder with Workbench.sln above the test program).</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Workbench.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no Workbench.sln above {AppContext.BaseDirectory}");
    }

    public static CellOutput Single(NotebookCell cell, OutputType type) => Assert.Single(cell.Outputs, o => o.Type == type);
}
