using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Metrics;

/// <summary>
/// Prompt adherence: accuracy of the feature network's heads on the attributes each prompt asks for.
/// <see cref="Accuracy"/> maps an attribute (color, shape, object, motion, digit) to the fraction of prompted
/// values the classifier finds in the clips; <see cref="Overall"/> pools every check.
/// </summary>
public sealed record PromptAdherenceReport(int Clips, int Checks, double Overall, IReadOnlyDictionary<string, double> Accuracy,
    IReadOnlyDictionary<string, int> Counts);

/// <summary>
/// Scores clips against their prompts with <see cref="VideoFeatureNet"/>'s heads: every colour, shape and
/// colour+shape pair a prompt names must be detected present (logit &gt; 0), the clip's motion type must be the
/// most likely one, and every digit named must be detected. Run it on real clips too: their score is the
/// classifier's own ceiling.
/// </summary>
public static class PromptAdherence
{
    public static PromptAdherenceReport Evaluate(VideoFeatureNet net, IReadOnlyList<VideoClip> clips, Device? device = null, int batchSize = 16)
    {
        var hits = new Dictionary<string, int>();
        var counts = new Dictionary<string, int>();
        void Check(string attribute, bool ok)
        {
            counts[attribute] = counts.GetValueOrDefault(attribute) + 1;
            if (ok) hits[attribute] = hits.GetValueOrDefault(attribute) + 1;
        }
        var heads = net.Config.Heads.ToDictionary(h => h.Name);
        using var noGrad = new NoGrad();
        for (int start = 0; start < clips.Count; start += batchSize)
        {
            using var scope = DisposeScope.Enter();
            var batch = clips.Skip(start).Take(batchSize).ToList();
            var video = Tensor.Stack(batch.Select(c => c.ToTensor(device)).ToList());     // (B, C, T, H, W)
            var (_, logits) = net.Forward(video);
            var values = logits.ToDictionary(kv => kv.Key, kv => kv.Value.To(DType.Float64, Device.Cpu).Contiguous().ToArray<double>());
            for (int i = 0; i < batch.Count; i++)
            {
                var prompt = PromptParser.Parse(batch[i].Caption);
                bool Present(string head, string cls)
                {
                    var h = heads[head];
                    int k = Array.IndexOf(h.Classes, cls);
                    return k >= 0 && values[head][i * h.Classes.Length + k] > 0;
                }
                if (heads.ContainsKey("color"))
                    foreach (var o in prompt.Objects)
                    {
                        Check("color", Present("color", o.Color));
                        Check("shape", Present("shape", o.Shape));
                        Check("object", Present("object", $"{o.Color} {o.Shape}"));
                    }
                if (heads.TryGetValue("motion", out var motion) && prompt.Motion is { } m)
                {
                    var row = values["motion"].AsSpan(i * motion.Classes.Length, motion.Classes.Length);
                    int best = 0;
                    for (int k = 1; k < row.Length; k++) if (row[k] > row[best]) best = k;
                    Check("motion", motion.Classes[best] == m);
                }
                if (heads.ContainsKey("digit"))
                    foreach (var d in prompt.Digits.Distinct()) Check("digit", Present("digit", d.ToString()));
            }
        }
        int checks = counts.Values.Sum();
        return new PromptAdherenceReport(clips.Count, checks, checks == 0 ? double.NaN : hits.Values.Sum() / (double)checks,
            counts.ToDictionary(kv => kv.Key, kv => hits.GetValueOrDefault(kv.Key) / (double)kv.Value), counts);
    }
}
