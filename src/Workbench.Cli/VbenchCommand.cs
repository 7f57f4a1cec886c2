using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Workbench.Metrics;

namespace Workbench.Cli;

/// <summary><c>workbench vbench VIDEO...</c>: VBench-style dimensions per clip and over all clips.</summary>
internal static class VbenchCommand
{
    public static Command Create()
    {
        var videos = new Argument<string[]>("videos") { Description = "video files, folders of videos, or dataset folders", Arity = ArgumentArity.OneOrMore };
        var features = new Option<string?>("--features") { Description = "feature-network run (`workbench train features`) for subject/background consistency" };
        var interpolator = new Option<string>("--interpolator") { Description = "motion smoothness interpolator: flow (symmetric Lucas–Kanade flow, motion-compensated) or blend", DefaultValueFactory = _ => "flow" };
        var count = new Option<int>("--count", "-n") { Description = "at most this many clips from each folder or dataset", DefaultValueFactory = _ => 32 };
        var markdown = new Option<bool>("--markdown") { Description = "print Markdown tables" };
        var command = new Command("vbench", "VBench-style dimensions: temporal flickering, motion smoothness, dynamic degree, subject and background consistency")
        {
            videos, features, interpolator, count, markdown,
        };
        command.SetAction(parse =>
        {
            var kind = parse.GetValue(interpolator)!.ToLowerInvariant() switch
            {
                "flow" => FrameInterpolator.Flow,
                "blend" => FrameInterpolator.Blend,
                var other => throw new ArgumentException($"unknown interpolator '{other}' (expected flow or blend)"),
            };
            var clips = ClipInputs.ReadAll(parse.GetValue(videos)!, parse.GetValue(count));
            using var net = parse.GetValue(features) is { } run ? FeatureNetTraining.Load(run) : null;
            VbenchReport? report = null;
            AnsiConsole.Progress().AutoClear(true).Start(ctx =>
            {
                var task = ctx.AddTask("scoring clips", maxValue: clips.Count);
                report = Vbench.Evaluate(clips, net, kind, new SynchronousProgress<int>(n => task.Value = n));
            });
            Print(report!, parse.GetValue(markdown));
            return 0;
        });
        return command;
    }

    private static string F(double? v) => v is { } x ? x.ToString("F4", CultureInfo.InvariantCulture) : "n/a";

    private static void Print(VbenchReport r, bool markdown)
    {
        if (r.Videos.Count <= 64)
            Tables.Print(["clip", "flickering", "static", "motion smoothness", "dynamic", "top-5% flow (px)", "subject", "background"],
                r.Videos.Select(v => (IReadOnlyList<string>)[v.Name, F(v.TemporalFlickering), v.IsStatic ? "yes" : "no", F(v.MotionSmoothness),
                    v.IsDynamic ? "yes" : "no", F(v.MaxFlowScore), F(v.SubjectConsistency), F(v.BackgroundConsistency)]), markdown);
        Tables.Print(["dimension", "score", "how"],
        [
            ["temporal flickering (all clips)", F(r.TemporalFlickering), "VBench's formula, exact"],
            ["temporal flickering (static clips)", F(r.TemporalFlickeringStatic), $"{r.StaticVideos} of {r.Videos.Count} clips pass VBench's static filter (Lucas–Kanade flow for RAFT)"],
            ["motion smoothness", F(r.MotionSmoothness), $"VBench's formula; {(r.Interpolator == FrameInterpolator.Flow ? "motion-compensated (Lucas–Kanade) interpolator" : "blend interpolator")} for AMT"],
            ["dynamic degree", F(r.DynamicDegree), "VBench's thresholds and counting; Lucas–Kanade flow for RAFT"],
            ["subject consistency", F(r.SubjectConsistency), r.SubjectConsistency is null ? "needs --features RUN" : "VBench's formula; feature-net frozen-frame features for DINO"],
            ["background consistency", F(r.BackgroundConsistency), r.BackgroundConsistency is null ? "needs --features RUN" : "VBench's formula; feature-net 4×4 frame-stage features for CLIP"],
        ], markdown);
    }
}
