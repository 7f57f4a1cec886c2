using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Metrics;

/// <summary>How <see cref="Vbench.MotionSmoothness"/> makes the in-between frame.</summary>
public enum FrameInterpolator
{
    /// <summary>Motion-compensated: a symmetric flow v at mid-time (a(x − v) ≈ b(x + v), <see cref="OpticalFlow.Symmetric"/>), both frames warped to the middle and averaged.</summary>
    Flow,
    /// <summary>The mean of the two frames (a cross-fade): the simplest classical interpolator.</summary>
    Blend,
}

/// <summary>VBench's dynamic degree of one clip: the per-pair flow statistic, the thresholds, the verdict.</summary>
public sealed record DynamicDegreeResult(bool IsDynamic, double[] Scores, double Threshold, int CountNeeded);

/// <summary>The VBench-style dimensions of one clip (consistency values are null without a feature network).</summary>
public sealed record VbenchVideoScores(string Name, double TemporalFlickering, bool IsStatic, double MotionSmoothness, bool IsDynamic,
    double MaxFlowScore, double? SubjectConsistency, double? BackgroundConsistency);

/// <summary>VBench-style dimensions over a set of clips, aggregated as VBench aggregates them.</summary>
public sealed record VbenchReport(IReadOnlyList<VbenchVideoScores> Videos, double TemporalFlickering, double? TemporalFlickeringStatic,
    int StaticVideos, double MotionSmoothness, double DynamicDegree, double? SubjectConsistency, double? BackgroundConsistency,
    FrameInterpolator Interpolator);

/// <summary>
/// VBench's video-quality dimensions (Huang et al. 2024), computed as VBench's code defines them where no
/// pretrained network is needed, with stated stand-ins where one is (docs/metrics.md has the table):
/// <list type="bullet">
/// <item>temporal flickering: exactly VBench's (255 − mean |fₜ − fₜ₊₁|) / 255 on uint8 frames;</item>
/// <item>motion smoothness: VBench's (255 − mean |f_odd − interp(f_even)|) / 255, with a classical
/// motion-compensated interpolator (symmetric Lucas–Kanade flow; or a blend) instead of AMT;</item>
/// <item>dynamic degree: VBench's top-5 % flow statistic, resolution- and fps-scaled thresholds and counting
/// rule, with classical flow (<see cref="OpticalFlow"/>, Lucas–Kanade by default) instead of RAFT; the static
/// filter for flickering likewise;</item>
/// <item>subject / background consistency: VBench's formula (mean of the first-frame and previous-frame cosine
/// similarities, clamped at 0) over <see cref="VideoFeatureNet"/> frame features instead of DINO / CLIP.</item>
/// </list>
/// </summary>
public static class Vbench
{
    /// <summary>VBench's temporal flickering score of one clip: (255 − mean over consecutive pairs of the mean absolute difference) / 255.</summary>
    public static double TemporalFlickering(VideoClip clip)
    {
        if (clip.Frames < 2) throw new ArgumentException($"temporal flickering needs at least 2 frames, the clip has {clip.Frames}");
        double total = 0;
        for (int t = 0; t + 1 < clip.Frames; t++) total += MeanAbsDifference(clip.Frame(t), clip.Frame(t + 1));
        return (255.0 - total / (clip.Frames - 1)) / 255.0;
    }

    private static double MeanAbsDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        long sum = 0;
        for (int i = 0; i < a.Length; i++) sum += Math.Abs(a[i] - b[i]);
        return (double)sum / a.Length;
    }

    /// <summary>
    /// VBench's motion smoothness: the even frames (0, 2, 4, ...) are interpolated pairwise, each in-between frame
    /// is compared with the real odd frame (mean absolute difference on uint8), and the score is (255 − mean) / 255.
    /// </summary>
    public static double MotionSmoothness(VideoClip clip, FrameInterpolator interpolator = FrameInterpolator.Flow, FlowOptions? flow = null)
    {
        if (clip.Frames < 3) throw new ArgumentException($"motion smoothness needs at least 3 frames, the clip has {clip.Frames}");
        using var scope = DisposeScope.Enter();
        var frames = FramesOf(clip);                                                   // (T, C, H, W) 0..255
        long pairs = (clip.Frames - 1) / 2;                                            // even pairs with a real odd frame between
        var even = frames.Slice(0, 0, 2 * pairs + 1, 2);                              // (pairs + 1, C, H, W)
        var first = even.Narrow(0, 0, pairs);
        var second = even.Narrow(0, 1, pairs);
        var middle = Interpolate(first, second, interpolator, flow).Round().Clamp(0, 255);
        var odd = frames.Slice(0, 1, 2 * pairs, 2);                                   // (pairs, C, H, W)
        double error = (middle - odd).Abs().Mean().Item<double>();
        return (255.0 - error) / 255.0;
    }

    /// <summary>The frame halfway between <paramref name="a"/> and <paramref name="b"/> (N, C, H, W), 0..255.</summary>
    public static Tensor Interpolate(Tensor a, Tensor b, FrameInterpolator interpolator = FrameInterpolator.Flow, FlowOptions? flow = null)
    {
        using var scope = DisposeScope.Enter();
        if (interpolator == FrameInterpolator.Blend) return scope.Keep((a + b) * 0.5);
        // Motion-compensated interpolation with a symmetric (bilateral) flow v at mid-time: a(x − v) ≈ b(x + v).
        var v = OpticalFlow.Symmetric(a, b, flow);
        var middle = (OpticalFlow.Warp(a, v.Neg()) + OpticalFlow.Warp(b, v)) * 0.5;
        return scope.Keep(middle);
    }

    /// <summary>
    /// VBench's dynamic degree of one clip: frames are taken every round(fps / 8); for each consecutive pair the
    /// mean of the largest 5 % of flow magnitudes is compared with 6 · max(1, 8 / fps) · min(H, W) / 256, and the
    /// clip is dynamic when at least round(4 · frames / 16) pairs exceed it.
    /// </summary>
    public static DynamicDegreeResult DynamicDegree(VideoClip clip, double? fps = null, FlowOptions? flow = null)
    {
        double rate = fps ?? clip.Fps;
        if (!(rate > 0)) throw new ArgumentException($"dynamic degree needs the clip's frame rate, got {rate}");
        int interval = Math.Max(1, (int)Math.Round(rate / 8, MidpointRounding.ToEven));
        var indices = Enumerable.Range(0, clip.Frames).Where(i => i % interval == 0).ToArray();
        double factor = Math.Max(1.0, 8.0 / rate);
        double threshold = factor * 6.0 * (Math.Min(clip.Height, clip.Width) / 256.0);
        int countNeeded = (int)Math.Round(4 * (indices.Length / 16.0), MidpointRounding.ToEven);
        double[] scores = indices.Length < 2 ? [] : TopFlowScores(clip, indices.SkipLast(1).ToArray(), indices.Skip(1).ToArray(), 0.05, flow);
        int count = 0;
        bool dynamic = false;
        foreach (var s in scores)
        {
            if (s > threshold) count++;
            if (count >= countNeeded) { dynamic = true; break; }
        }
        return new DynamicDegreeResult(dynamic, scores, threshold, countNeeded);
    }

    /// <summary>
    /// VBench's static filter (used to pick the clips temporal flickering is measured on): top-2 % flow statistic over
    /// consecutive pairs plus (first, last) and (last, first); static unless more than round(2 · frames / 16) pairs
    /// exceed 3 · min(H, W) / 256, or either wrap-around pair exceeds that threshold times 2 · round(2 · frames / 16).
    /// </summary>
    public static bool IsStatic(VideoClip clip, FlowOptions? flow = null)
    {
        if (clip.Frames < 2) return true;
        double threshold = 3.0 * (Math.Min(clip.Height, clip.Width) / 256.0);
        int countNum = (int)Math.Round(2 * (clip.Frames / 16.0), MidpointRounding.ToEven);
        var from = Enumerable.Range(0, clip.Frames - 1).Append(0).Append(clip.Frames - 1).ToArray();
        var to = Enumerable.Range(1, clip.Frames - 1).Append(clip.Frames - 1).Append(0).ToArray();
        var scores = TopFlowScores(clip, from, to, 0.02, flow);
        int count = 0;
        foreach (var s in scores.SkipLast(2))
        {
            if (s > threshold) count++;
            if (count > countNum) return false;
        }
        foreach (var s in scores.TakeLast(2))
            if (s > threshold * countNum * 2) return false;
        return true;
    }

    // For each pair (from[i], to[i]): the mean of the largest `fraction` of flow magnitudes (VBench's get_score).
    private static double[] TopFlowScores(VideoClip clip, int[] from, int[] to, double fraction, FlowOptions? flow)
    {
        using var scope = DisposeScope.Enter();
        var frames = FramesOf(clip);
        var a = frames.IndexSelect(0, Tensor.From(from.Select(i => (long)i).ToArray()));
        var b = frames.IndexSelect(0, Tensor.From(to.Select(i => (long)i).ToArray()));
        var f = OpticalFlow.Compute(a, b, flow);                                       // (P, 2, H, W)
        var magnitude = f.Square().Sum(1).Sqrt().Flatten(1);                          // (P, H·W)
        int cut = Math.Max(1, (int)(clip.Height * clip.Width * fraction));           // VBench: int(h·w·fraction); at least 1 for tiny frames
        var (top, _) = magnitude.TopK(cut, 1);
        return top.Mean(1).To(DType.Float64).ToArray<double>();
    }

    /// <summary>
    /// VBench's consistency formula for one clip's frame features (T, D): for every frame after the first, the mean
    /// of max(0, cos(previous, this)) and max(0, cos(first, this)); returns the sum and the number of frames summed
    /// (VBench averages over all frames of all clips: Σ sums / Σ counts).
    /// </summary>
    public static (double Sum, int Count) Consistency(Tensor frameFeatures)
    {
        if (frameFeatures.Rank != 2) throw new ArgumentException($"frame features must be (T, D), got {Tensor.FormatShape(frameFeatures.Shape)}");
        var f = frameFeatures.To(DType.Float64, Device.Cpu).Contiguous().ToArray<double>();
        int t = (int)frameFeatures.Size(0), d = (int)frameFeatures.Size(1);
        double Cos(int i, int j)
        {
            double dot = 0, ni = 0, nj = 0;
            for (int k = 0; k < d; k++) { dot += f[i * d + k] * f[j * d + k]; ni += f[i * d + k] * f[i * d + k]; nj += f[j * d + k] * f[j * d + k]; }
            // F.normalize divides by max(‖x‖, 1e-12); cosine_similarity by max(‖x‖·‖y‖, 1e-8).
            return dot / Math.Max(Math.Max(Math.Sqrt(ni), 1e-12) * Math.Max(Math.Sqrt(nj), 1e-12), 1e-8);
        }
        double sum = 0;
        for (int i = 1; i < t; i++) sum += (Math.Max(0, Cos(i - 1, i)) + Math.Max(0, Cos(0, i))) / 2;
        return (sum, t - 1);
    }

    /// <summary>A clip's frames as a float tensor (T, C, H, W) with values 0..255.</summary>
    public static Tensor FramesOf(VideoClip clip)
    {
        using var scope = DisposeScope.Enter();
        var bytes = Tensor.From(clip.Pixels, [clip.Frames, clip.Height, clip.Width, clip.Channels]);
        return scope.Keep(bytes.To(DType.Float32).Permute(0, 3, 1, 2).Contiguous());
    }

    /// <summary>
    /// Every dimension for a set of clips. Consistency needs <paramref name="features"/>; without it those are null.
    /// Flickering is reported over all clips and, as VBench measures it, over the clips its static filter keeps.
    /// </summary>
    public static VbenchReport Evaluate(IReadOnlyList<(string Name, VideoClip Clip)> clips, VideoFeatureNet? features = null,
        FrameInterpolator interpolator = FrameInterpolator.Flow, IProgress<int>? progress = null)
    {
        if (clips.Count == 0) throw new ArgumentException("no clips to evaluate");
        var videos = new List<VbenchVideoScores>();
        double subjectSum = 0, backgroundSum = 0;
        int subjectCount = 0, backgroundCount = 0;
        foreach (var (name, clip) in clips)
        {
            using var scope = DisposeScope.Enter();
            var dynamic = DynamicDegree(clip);
            double? subject = null, background = null;
            if (features is not null)
            {
                using var noGrad = new NoGrad();
                var video = clip.ToTensor().Unsqueeze(0);
                var (s, sc) = Consistency(features.SubjectFeatures(video).Squeeze(0));
                var (b, bc) = Consistency(features.BackgroundFeatures(video).Squeeze(0));
                (subject, background) = (s / sc, b / bc);
                subjectSum += s; subjectCount += sc; backgroundSum += b; backgroundCount += bc;
            }
            videos.Add(new VbenchVideoScores(name, TemporalFlickering(clip), IsStatic(clip), MotionSmoothness(clip, interpolator),
                dynamic.IsDynamic, dynamic.Scores.DefaultIfEmpty(0).Max(), subject, background));
            progress?.Report(videos.Count);
        }
        var statics = videos.Where(v => v.IsStatic).ToList();
        return new VbenchReport(videos, videos.Average(v => v.TemporalFlickering), statics.Count > 0 ? statics.Average(v => v.TemporalFlickering) : null,
            statics.Count, videos.Average(v => v.MotionSmoothness), videos.Average(v => v.IsDynamic ? 1.0 : 0.0),
            subjectCount > 0 ? subjectSum / subjectCount : null, backgroundCount > 0 ? backgroundSum / backgroundCount : null, interpolator);
    }
}
