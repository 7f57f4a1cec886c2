using System.CommandLine;
using Spectre.Console;
using Workbench.Metrics;
using Workbench.Torch;

namespace Workbench.Cli;

/// <summary><c>workbench fvd REAL FAKE</c>: FVD and KID between two sets of clips or two .npy feature files.</summary>
internal static class FvdCommand
{
    public static Command Create()
    {
        var real = new Argument<string>("real") { Description = "real clips: a dataset folder, a folder of videos, or a .npy feature file [N, D]" };
        var fake = new Argument<string>("fake") { Description = "generated clips, the same kinds" };
        var features = new Option<string[]>("--features")
        {
            Description = "feature network: `net RUN` (Workbench's feature net, from `workbench train features`) or `i3d PATH` (StyleGAN-V's i3d_torchscript.pt); not needed for .npy inputs",
            Arity = new ArgumentArity(2, 2), AllowMultipleArgumentsPerToken = true,
        };
        var bootstrap = new Option<int>("--bootstrap") { Description = "bootstrap resamples for confidence intervals (0: none)", DefaultValueFactory = _ => 0 };
        var max = new Option<int?>("--max") { Description = "use at most this many clips of each set" };
        var subsets = new Option<int>("--kid-subsets") { Description = "KID subsets", DefaultValueFactory = _ => 100 };
        var subsetSize = new Option<int>("--kid-subset-size") { Description = "KID subset size (capped by the smaller set)", DefaultValueFactory = _ => 1000 };
        var save = new Option<string?>("--save-features") { Description = "write the features as real.npy and fake.npy (float32) into this folder" };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N]", DefaultValueFactory = _ => "cpu" };
        var batch = new Option<int>("--batch") { Description = "clips per forward pass", DefaultValueFactory = _ => 16 };
        var seed = new Option<ulong>("--seed") { Description = "seed of KID subsets and bootstrap", DefaultValueFactory = _ => 0 };
        var command = new Command("fvd", "Fréchet Video Distance and KID between real and generated clips (or .npy features)")
        {
            real, fake, features, bootstrap, max, subsets, subsetSize, save, device, batch, seed,
        };
        command.SetAction(parse =>
        {
            string realPath = parse.GetValue(real)!, fakePath = parse.GetValue(fake)!;
            var d = Device.Parse(parse.GetValue(device)!);
            IVideoFeatureExtractor? extractor = null;
            int? size = null;
            string name = "features from .npy files";
            try
            {
                bool needsNetwork = !IsNpy(realPath) || !IsNpy(fakePath);
                if (parse.GetValue(features) is { Length: 2 } spec)
                {
                    switch (spec[0].ToLowerInvariant())
                    {
                        case "net" or "shapes-net" or "features" or "feature-net":
                            var net = FeatureNetTraining.Load(spec[1], d);
                            (extractor, size) = (net, net.Config.Size);
                            break;
                        case "i3d":
                            extractor = new I3dFeatures(spec[1], d);
                            break;
                        default:
                            throw new ArgumentException($"unknown feature network '{spec[0]}' (expected `net RUN` or `i3d PATH`)");
                    }
                    name = extractor.Name;
                }
                else if (needsNetwork)
                    throw new ArgumentException("clips need a feature network: --features net RUN (train one with `workbench train features`) or --features i3d PATH/i3d_torchscript.pt");

                double[,] Load(string path, string what)
                {
                    if (IsNpy(path)) return Npy.ReadMatrix(path);
                    var clips = ClipInputs.OpenForFeatures(path, extractor!.Frames, size);
                    double[,]? result = null;
                    long total = Math.Min(clips.Count, parse.GetValue(max) ?? int.MaxValue);
                    AnsiConsole.Progress().AutoClear(true).Start(ctx =>
                    {
                        var task = ctx.AddTask($"{what} features", maxValue: total);
                        result = Fvd.Extract(extractor, clips, (int)total, parse.GetValue(batch), d, new SynchronousProgress<int>(n => task.Value = n));
                    });
                    (clips as IDisposable)?.Dispose();
                    return result!;
                }

                var realFeatures = Load(realPath, "real");
                var fakeFeatures = Load(fakePath, "generated");
                if (IsNpy(realPath) && parse.GetValue(max) is { } m1) realFeatures = Head(realFeatures, m1);
                if (IsNpy(fakePath) && parse.GetValue(max) is { } m2) fakeFeatures = Head(fakeFeatures, m2);
                if (parse.GetValue(save) is { } folder)
                {
                    Npy.Write(Path.Combine(folder, "real.npy"), realFeatures);
                    Npy.Write(Path.Combine(folder, "fake.npy"), fakeFeatures);
                }
                var report = Fvd.Compare(realFeatures, fakeFeatures, name, parse.GetValue(bootstrap), parse.GetValue(subsets),
                    parse.GetValue(subsetSize), parse.GetValue(seed));
                Print(report);
                return 0;
            }
            finally { extractor?.Dispose(); }
        });
        return command;
    }

    private static bool IsNpy(string path) => path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase);

    private static double[,] Head(double[,] m, int n)
    {
        if (n >= m.GetLength(0)) return m;
        var r = new double[n, m.GetLength(1)];
        Buffer.BlockCopy(m, 0, r, 0, n * m.GetLength(1) * sizeof(double));
        return r;
    }

    private static void Print(FvdReport r)
    {
        var rows = new List<string[]>
        {
            new[] { "features", r.Features },
            new[] { "clips (N)", $"{r.RealCount} real, {r.FakeCount} generated; D = {r.Dimension}" },
            new[] { "FVD", r.FvdInterval is { } fi ? $"{r.Fvd:F3}  [{fi.Lower:F3}, {fi.Upper:F3}] ({fi.Confidence:P0}, {fi.Resamples} resamples)" : $"{r.Fvd:F3}" },
            new[] { "KID", $"{r.Kid.Value:G5} ± {(r.Kid.Std <= 1e-9 * Math.Abs(r.Kid.Value) ? "0" : r.Kid.Std.ToString("G3"))} ({r.Kid.Subsets} subsets of {r.Kid.SubsetSize}" +
                (r.Kid.SubsetSize >= Math.Min(r.RealCount, r.FakeCount) ? ", each holding every clip" : "") + ")" +
                (r.KidInterval is { } ki ? $"  [{ki.Lower:G5}, {ki.Upper:G5}]" : "") },
            new[] { "note", r.SampleNote },
        };
        Tables.Print(["metric", "value"], rows, markdown: false);
    }
}
