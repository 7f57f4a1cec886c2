using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Workbench.Torch;

/// <summary>
/// Finds the native bridge: <c>WORKBENCH_NATIVE_LIB</c> if set (e.g. a CUDA build on the GPU machine),
/// otherwise <c>libworkbench_native.so</c> next to this assembly, otherwise the loader's search path.
/// </summary>
internal static class NativeLoader
{
    public static string? LoadedFrom { get; private set; }

#pragma warning disable CA2255 // a library must register its resolver before the first P/Invoke
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(NativeLoader).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Native.Lib) return IntPtr.Zero;
        foreach (var candidate in Candidates())
        {
            if (!File.Exists(candidate)) continue;
            try
            {
                var h = NativeLibrary.Load(candidate);
                LoadedFrom = candidate;
                return h;
            }
            catch (DllNotFoundException e)
            {
                throw new DllNotFoundException(
                    $"the Workbench native bridge at {candidate} could not be loaded: {e.Message}. " +
                    "Is libtorch installed (Debian: apt-get install libtorch-dev libopenblas0-openmp)?", e);
            }
        }
        throw new DllNotFoundException(
            "the Workbench native bridge (libworkbench_native.so) was not found next to " +
            $"{assembly.Location} nor at WORKBENCH_NATIVE_LIB; build the solution with `dotnet build` (it runs CMake).");
    }

    private static IEnumerable<string> Candidates()
    {
        var env = Environment.GetEnvironmentVariable("WORKBENCH_NATIVE_LIB");
        if (!string.IsNullOrEmpty(env))
        {
            if (!File.Exists(env)) throw new DllNotFoundException($"WORKBENCH_NATIVE_LIB points to {env}, which does not exist");
            yield return env;
        }
        var dir = Path.GetDirectoryName(typeof(NativeLoader).Assembly.Location);
        if (!string.IsNullOrEmpty(dir))
        {
            yield return Path.Combine(dir, "libworkbench_native.so");
            yield return Path.Combine(dir, "runtimes", "linux-x64", "native", "libworkbench_native.so");
        }
        yield return Path.Combine(AppContext.BaseDirectory, "libworkbench_native.so");
    }
}
