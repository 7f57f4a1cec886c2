namespace Workbench.Notebooks;

/// <summary>
/// What <c>#r "nuget: ..."</c> resolves to without a network: the Workbench packages, as the assemblies built from this
/// repository next to the runner (a package brings its dependencies, as NuGet would). Any other package is an error
/// that names it.
/// </summary>
public sealed class WorkbenchPackages(string folder)
{
    public const string Workbench = "Workbench";
    public const string Extensions = "Workbench.Extensions";

    /// <summary>Package → its assemblies, dependencies first.</summary>
    private static readonly Dictionary<string, string[]> Assemblies = new(StringComparer.OrdinalIgnoreCase)
    {
        [Workbench] = ["Workbench.dll"],
        [Extensions] = ["Workbench.dll", "Workbench.Extensions.dll"],
    };

    /// <summary>The runner's own folder (where the build put Workbench.dll and Workbench.Extensions.dll).</summary>
    public static WorkbenchPackages Default { get; } = new(AppContext.BaseDirectory);

    public string Folder { get; } = folder;

    public static IReadOnlyCollection<string> Names => Assemblies.Keys;

    /// <summary>The package's canonical name and assembly paths; throws naming the package when it is not one of ours.</summary>
    public (string Name, IReadOnlyList<string> Paths) Resolve(PackageDirective package)
    {
        if (!Assemblies.TryGetValue(package.Name, out var files))
            throw new PackageNotFoundException(
                $"package {package.Name} is not available: the runner has no network and resolves only {string.Join(" and ", Names)} " +
                $"(the assemblies built from this repository, in {Folder}); reference other assemblies by path: #r \"path/to/Library.dll\"");
        var paths = files.Select(f => Path.Combine(Folder, f)).ToList();
        foreach (var path in paths)
            if (!File.Exists(path))
                throw new PackageNotFoundException($"package {package.Name}: {path} does not exist (build the runner: dotnet build src/Workbench.Cli)");
        var name = Assemblies.Keys.First(k => string.Equals(k, package.Name, StringComparison.OrdinalIgnoreCase));
        return (name, paths);
    }
}

/// <summary>A <c>#r "nuget: ..."</c> the runner cannot satisfy.</summary>
public sealed class PackageNotFoundException(string message) : Exception(message);
