using System.CommandLine;
using System.Globalization;
using Workbench.Data;
using Workbench.Metrics;

namespace Workbench.Cli;

/// <summary>
/// <c>workbench physics VIDEO... [--reference DATA] [--features RUN]</c>: motion-law residuals, object permanence and
/// prompt adherence of Bouncing Shapes / Moving MNIST clips, beside the same statistics on real clips.
/// </summary>
internal static class PhysicsCommand
{
    public static Command Create()
    {
        var videos = new Argument<string[]>("videos") { Description = "generated clips with captions: dataset folders, or videos with a sidecar name.txt prompt", Arity = ArgumentArity.OneOrMore };
        var reference = new Option<string?>("--reference") { Description = "real clips (a dataset folder) to report the same statistics on" };
        var features = new Option<string?>("--features") { Description = "feature-network run for prompt adherence" };
        var count = new Option<int>("--count", "-n") { Description = "at most this many clips from each folder or dataset", DefaultValueFactory = _ => 256 };
        var markdown = new Option<bool>("--markdown") { Description = "print a Markdown table" };
        var command = new Command("physics", "physics plausibility, object permanence and prompt adherence against their prompts (and real clips)")
        {
            videos, reference, features, count, markdown,
        };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(count);
            var generated = ClipInputs.ReadAll(parse.GetValue(videos)!, n).Select(c => c.Clip).ToList();
            var real = parse.GetValue(reference) is { } r ? ClipInputs.ReadAll([r], n).Select(c => c.Clip).ToList() : null;
            using var net = parse.GetValue(features) is { } run ? FeatureNetTraining.Load(run) : null;
            var rows = new List<IReadOnlyList<string>>();
            void Add(string metric, Func<List<VideoClip>, string> score) =>
                rows.Add([metric, score(generated), real is null ? "" : score(real)]);
            var physics = new Dictionary<List<VideoClip>, PhysicsReport>();
            PhysicsReport P(List<VideoClip> clips) => physics.TryGetValue(clips, out var p) ? p : physics[clips] = Physics.Evaluate(clips);
            var permanence = new Dictionary<List<VideoClip>, PermanenceReport>();
            PermanenceReport Q(List<VideoClip> clips) => permanence.TryGetValue(clips, out var p) ? p : permanence[clips] = Physics.Permanence(clips);
            Add("clips", c => c.Count.ToString());
            Add("objects tracked", c => $"{P(c).Tracked} of {P(c).Objects}");
            Add("motion-law residual (px, RMS)", c => F(P(c).MeanResidual));
            Add("fitted gravity (px/frame²)", c => F(P(c).MeanGravity));
            Add("occlusion events", c => Q(c).Events.ToString());
            Add("object permanence (all checks)", c => F(Q(c).Score));
            Add("  re-appears in its colour", c => F(Q(c).ReappearRate));
            Add("  same shape", c => F(Q(c).SameShapeRate));
            Add("  on the predicted path", c => F(Q(c).OnPathRate));
            Add("  mean path error (px)", c => F(Q(c).MeanPathError));
            if (net is not null)
            {
                var adherence = new Dictionary<List<VideoClip>, PromptAdherenceReport>();
                PromptAdherenceReport A(List<VideoClip> clips) => adherence.TryGetValue(clips, out var p) ? p : adherence[clips] = PromptAdherence.Evaluate(net, clips);
                Add("prompt adherence (all checks)", c => F(A(c).Overall));
                foreach (var attribute in A(generated).Accuracy.Keys)
                    Add($"  {attribute}", c => A(c).Accuracy.TryGetValue(attribute, out var v) ? F(v) : "n/a");
            }
            Tables.Print(["metric", "generated", real is null ? "" : "real"], rows, parse.GetValue(markdown));
            return 0;
        });
        return command;
    }

    private static string F(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("F4", CultureInfo.InvariantCulture) : "n/a";
}
