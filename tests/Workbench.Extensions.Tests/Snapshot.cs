using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Workbench.Extensions.Tests;

/// <summary>
/// Snapshot testing of HTML: the rendering, normalised (random element ids numbered in order of appearance, each PNG
/// data URI replaced by its size and a hash of its decoded pixels, so a different zlib never fails a test but a
/// changed pixel does), must equal Snapshots/NAME.html. A missing snapshot is written and the test fails, asking for
/// a review; WORKBENCH_UPDATE_SNAPSHOTS=1 rewrites them all (then review the diff in git).
/// </summary>
internal static partial class Snapshot
{
    public const string UpdateVariable = "WORKBENCH_UPDATE_SNAPSHOTS";

    public static void Match(string name, string html, [CallerFilePath] string sourceFile = "")
    {
        var actual = Normalize(html);
        var sourceDir = Path.Combine(Path.GetDirectoryName(sourceFile) ?? ".", "Snapshots");
        var sourcePath = Path.Combine(sourceDir, name + ".html");
        var path = File.Exists(sourcePath) ? sourcePath : Path.Combine(AppContext.BaseDirectory, "Snapshots", name + ".html");
        bool update = Environment.GetEnvironmentVariable(UpdateVariable) == "1";
        if (update || !File.Exists(path))
        {
            Directory.CreateDirectory(sourceDir);
            File.WriteAllText(sourcePath, actual);
            if (!update) Assert.Fail($"snapshot {sourcePath} did not exist and was written: review it, then run the tests again");
            return;
        }
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expected == actual) return;
        var received = Path.Combine(AppContext.BaseDirectory, "artifacts", "snapshots", name + ".received.html");
        Directory.CreateDirectory(Path.GetDirectoryName(received)!);
        File.WriteAllText(received, actual);
        int at = 0;
        while (at < Math.Min(expected.Length, actual.Length) && expected[at] == actual[at]) at++;
        Assert.Fail($"{name}: the HTML differs from {path} at character {at}:\n  expected …{Excerpt(expected, at)}…\n  actual   …{Excerpt(actual, at)}…\n" +
                    $"The rendering is in {received}; if the change is intended, run with {UpdateVariable}=1 and review the diff.");
    }

    public static string Normalize(string html)
    {
        html = PngUri().Replace(html, m =>
        {
            // Inside JSON the encoder writes + and / as \u002B and \/ (safe in a <script>).
            var base64 = m.Groups[1].Value.Replace("\\u002B", "+").Replace("\\u002b", "+").Replace("\\/", "/");
            var image = Png.Decode(Convert.FromBase64String(base64));
            var hash = Convert.ToHexString(SHA256.HashData(image.Pixels))[..12].ToLowerInvariant();
            return $"png:{image.Height}x{image.Width}x{image.Channels}:{hash}";
        });
        var ids = new Dictionary<string, string>();
        html = ElementId().Replace(html, m =>
        {
            if (!ids.TryGetValue(m.Value, out var n)) ids[m.Value] = n = $"wbID{ids.Count + 1}";
            return n;
        });
        // A line per element keeps snapshot diffs readable (the snapshot is compared, never run).
        var sb = new StringBuilder(html.ReplaceLineEndings("\n").Replace("><", ">\n<"));
        if (sb.Length == 0 || sb[^1] != '\n') sb.Append('\n');
        return sb.ToString();
    }

    private static string Excerpt(string s, int at) =>
        s.Substring(Math.Max(0, at - 60), Math.Min(s.Length, at + 60) - Math.Max(0, at - 60)).Replace("\n", "⏎");

    [GeneratedRegex(@"data:image/png;base64,((?:[A-Za-z0-9+/=]|\\u002[Bb]|\\/)+)")]
    private static partial Regex PngUri();

    [GeneratedRegex("wb[0-9a-f]{8}")]
    private static partial Regex ElementId();
}
