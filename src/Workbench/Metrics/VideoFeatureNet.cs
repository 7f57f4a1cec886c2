using System.Text.Json.Serialization;
using Workbench.Data;
using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Metrics;

/// <summary>One classification head of <see cref="VideoFeatureNet"/>.</summary>
/// <param name="MultiLabel">True: an independent present/absent logit per class (a clip may hold several);
/// false: one class per clip (softmax).</param>
public sealed record FeatureHead(string Name, string[] Classes, bool MultiLabel);

/// <summary>Configuration of <see cref="VideoFeatureNet"/>: input clip shape, widths, and the label schema.</summary>
public sealed record FeatureNetConfig
{
    /// <summary>"shapes" (Bouncing Shapes: colour, shape, colour+shape, motion) or "mnist" (digit identities).</summary>
    public string Schema { get; init; } = "shapes";
    public int InChannels { get; init; } = 3;
    /// <summary>Frames the network sees (the first ones of a clip), and the frame side it resizes to.</summary>
    public int Frames { get; init; } = 16;
    public int Size { get; init; } = 32;
    /// <summary>Channels of the per-frame stage; the spatio-temporal stages use 2× and 4×.</summary>
    public int Width { get; init; } = 32;
    /// <summary>Length of the penultimate feature vector (the FVD/KID features).</summary>
    public int FeatureDim { get; init; } = 128;
    public int NormGroups { get; init; } = 8;

    public static readonly string[] Shapes = ["ball", "square", "triangle"];
    public static readonly string[] Motions = ["linear", "gravity", "occluded"];
    public static string[] Colors => [.. BouncingShapes.Palette.Keys];

    [JsonIgnore]
    public FeatureHead[] Heads => Schema switch
    {
        "shapes" =>
        [
            new("color", Colors, true),
            new("shape", Shapes, true),
            new("object", Colors.SelectMany(c => Shapes.Select(s => $"{c} {s}")).ToArray(), true),
            new("motion", Motions, false),
        ],
        "mnist" => [new("digit", Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray(), true)],
        _ => throw new ArgumentException($"unknown feature-net schema '{Schema}' (expected shapes or mnist)"),
    };

    public void Validate()
    {
        _ = Heads;
        if (InChannels is not (1 or 3)) throw new ArgumentException($"the feature net takes 1 or 3 channels, got {InChannels}");
        if (Frames < 4 || Size < 8 || Size % 4 != 0) throw new ArgumentException($"need at least 4 frames and a frame side divisible by 4 (>= 8), got {Frames} frames of {Size}");
        if (Width % NormGroups != 0) throw new ArgumentException($"width {Width} must be divisible by {NormGroups} norm groups");
    }
}

/// <summary>
/// Workbench's own video feature network: a small 3D-conv classifier trained on the synthetic datasets'
/// labels (digit identities for Moving MNIST; colour, shape, colour+shape and motion type for Bouncing Shapes).
/// Its penultimate features stand in for I3D's in FVD/KID on these datasets (I3D was trained on Kinetics and
/// sees 32×32 bouncing shapes as out of distribution), and its heads score prompt adherence.
/// <code>
/// clip (B, C, T, H, W) in [-1, 1] → first Frames frames, resized to Size
///   frame stage (per frame, 2-D):  conv 3×3 → GN → SiLU → conv 3×3 /2 → GN → SiLU      (B·T, W, S/2, S/2)
///   spacetime stage (3-D):         conv 3³ /(1,2,2) → conv 3³ /2 → conv 3³, GN + SiLU   (B, 4W, T/2, S/8, S/8)
///   pool mean ⊕ max over (T, H, W), ⊕ max of a per-pixel 1×1×1 colour detector → linear → SiLU = features (B, FeatureDim)
///   heads: linear per label group                                                      (B, classes)
/// </code>
/// </summary>
public sealed class VideoFeatureNet : Module, IVideoFeatureExtractor
{
    private readonly Conv2d _frame1, _frame2;
    private readonly GroupNorm _norm1, _norm2, _norm3, _norm4, _norm5;
    private readonly Conv3d _st1, _st2, _st3, _pixel;
    private readonly Linear _proj;
    private readonly Dictionary<string, Linear> _heads = [];

    public FeatureNetConfig Config { get; }

    public VideoFeatureNet(FeatureNetConfig config)
    {
        config.Validate();
        Config = config;
        int w = config.Width, g = config.NormGroups;
        _frame1 = RegisterModule("frame1", new Conv2d(config.InChannels, w, (3, 3), padding: (1, 1)));
        _norm1 = RegisterModule("norm1", new GroupNorm(g, w));
        _frame2 = RegisterModule("frame2", new Conv2d(w, w, (3, 3), stride: (2, 2), padding: (1, 1)));
        _norm2 = RegisterModule("norm2", new GroupNorm(g, w));
        _st1 = RegisterModule("st1", new Conv3d(w, 2 * w, (3, 3, 3), stride: (1, 2, 2), padding: (1, 1, 1)));
        _norm3 = RegisterModule("norm3", new GroupNorm(g, 2 * w));
        _st2 = RegisterModule("st2", new Conv3d(2 * w, 4 * w, (3, 3, 3), stride: (2, 2, 2), padding: (1, 1, 1)));
        _norm4 = RegisterModule("norm4", new GroupNorm(g, 4 * w));
        _st3 = RegisterModule("st3", new Conv3d(4 * w, 4 * w, (3, 3, 3), padding: (1, 1, 1)));
        _norm5 = RegisterModule("norm5", new GroupNorm(g, 4 * w));
        _pixel = RegisterModule("pixel", new Conv3d(config.InChannels, w, (1, 1, 1)));
        _proj = RegisterModule("proj", new Linear(9 * w, config.FeatureDim));
        foreach (var head in config.Heads)
            _heads[head.Name] = RegisterModule("head_" + head.Name, new Linear(config.FeatureDim, head.Classes.Length));
    }

    public int FeatureDim => Config.FeatureDim;

    string IVideoFeatureExtractor.Name => $"workbench feature net ({Config.Schema}, {Config.FeatureDim}-d)";
    int IVideoFeatureExtractor.Frames => Config.Frames;
    int IVideoFeatureExtractor.Dimension => Config.FeatureDim;

    /// <summary>Penultimate features (B, FeatureDim) of raw clips, without gradients.</summary>
    public Tensor Extract(Tensor video)
    {
        using var noGrad = new NoGrad();
        using var scope = DisposeScope.Enter();
        return scope.Keep(Features(Prepare(video)));
    }

    /// <summary>
    /// Brings clips (B, C, T, H, W) in [-1, 1] to the network's input: the first <see cref="FeatureNetConfig.Frames"/>
    /// frames, resized to Size × Size (area averaging for whole factors, bilinear otherwise), grey ↔ colour as needed.
    /// </summary>
    public Tensor Prepare(Tensor video)
    {
        if (video.Rank != 5) throw new ArgumentException($"the feature net takes clips (B, C, T, H, W), got {Tensor.FormatShape(video.Shape)}");
        if (video.Size(2) < Config.Frames)
            throw new ArgumentException($"the feature net needs clips of at least {Config.Frames} frames, got {video.Size(2)} (shape {Tensor.FormatShape(video.Shape)})");
        using var scope = DisposeScope.Enter();
        return scope.Keep(PrepareFrames(video.Narrow(2, 0, Config.Frames)));
    }

    /// <summary>Every frame of clips (B, C, T, H, W) in [-1, 1] brought to the network's channels and frame size.</summary>
    public Tensor PrepareFrames(Tensor video)
    {
        if (video.Rank != 5) throw new ArgumentException($"the feature net takes clips (B, C, T, H, W), got {Tensor.FormatShape(video.Shape)}");
        int size = Config.Size;
        using var scope = DisposeScope.Enter();
        var x = video.To(DType.Float32);
        long c = x.Size(1), t = x.Size(2);
        if (c != Config.InChannels)
        {
            if (c == 3 && Config.InChannels == 1)
                x = x.Narrow(1, 0, 1) * 0.299 + x.Narrow(1, 1, 1) * 0.587 + x.Narrow(1, 2, 1) * 0.114;
            else if (c == 1 && Config.InChannels == 3) x = x.Expand(-1, 3, -1, -1, -1);
            else throw new ArgumentException($"the feature net takes {Config.InChannels} channels, got {c}");
        }
        long h = x.Size(3), w = x.Size(4);
        if (h != size || w != size)
            x = h % size == 0 && w % size == 0 ? F.AvgPool3d(x, (1, h / size, w / size)) : F.Interpolate(x, [t, size, size], InterpolateMode.Linear);
        return scope.Keep(x.Contiguous());
    }

    // The per-frame 2-D stage on prepared clips: (B, C, T, S, S) → (B·T, W, S/2, S/2).
    private Tensor FrameStage(Tensor x)
    {
        using var scope = DisposeScope.Enter();
        long b = x.Size(0), c = x.Size(1), t = x.Size(2), s = x.Size(3);
        var frames = x.Permute(0, 2, 1, 3, 4).Reshape(b * t, c, s, s);                     // (B·T, C, S, S)
        var h = F.Silu(_norm1.Forward(_frame1.Forward(frames)));
        h = F.Silu(_norm2.Forward(_frame2.Forward(h)));                                   // (B·T, W, S/2, S/2)
        return scope.Keep(h);
    }

    /// <summary>The penultimate features (B, FeatureDim) of prepared clips.</summary>
    public Tensor Features(Tensor prepared)
    {
        using var scope = DisposeScope.Enter();
        long b = prepared.Size(0), t = prepared.Size(2);
        var f = FrameStage(prepared);
        long w = f.Size(1), s = f.Size(2);
        var h = f.Reshape(b, t, w, s, s).Permute(0, 2, 1, 3, 4);                          // (B, W, T, S/2, S/2)
        h = F.Silu(_norm3.Forward(_st1.Forward(h)));                                      // (B, 2W, T, S/4, S/4)
        h = F.Silu(_norm4.Forward(_st2.Forward(h)));                                      // (B, 4W, T/2, S/8, S/8)
        h = F.Silu(_norm5.Forward(_st3.Forward(h)));
        // A per-pixel colour detector, max-pooled over the clip: which colours (intensities) appear at all.
        var colours = F.Silu(_pixel.Forward(prepared)).Max([2, 3, 4]);                    // (B, W)
        var pooled = Tensor.Cat([h.Mean([2, 3, 4]), h.Max([2, 3, 4]), colours], 1);      // (B, 9W)
        return scope.Keep(F.Silu(_proj.Forward(pooled)));                                 // (B, FeatureDim)
    }

    /// <summary>Logits of each head (B, classes) from features.</summary>
    public IReadOnlyDictionary<string, Tensor> Heads(Tensor features) =>
        _heads.ToDictionary(kv => kv.Key, kv => kv.Value.Forward(features));

    /// <summary>Features and head logits of raw clips (B, C, T, H, W) in [-1, 1].</summary>
    public (Tensor Features, IReadOnlyDictionary<string, Tensor> Logits) Forward(Tensor video)
    {
        using var scope = DisposeScope.Enter();
        var features = Features(Prepare(video));
        var logits = Heads(features);
        foreach (var l in logits.Values) scope.Keep(l);
        return (scope.Keep(features), logits);
    }

    /// <summary>
    /// Per-frame features for VBench-style subject consistency, for every frame of the clips: each frame held still
    /// for <see cref="FeatureNetConfig.Frames"/> frames (a frozen-frame clip) through the full network, (B, T, FeatureDim).
    /// Recognising the same coloured shape or digit in every frame gives similar vectors, as DINO's do for VBench.
    /// </summary>
    public Tensor SubjectFeatures(Tensor video, int batch = 32)
    {
        using var scope = DisposeScope.Enter();
        var x = PrepareFrames(video);                                                     // (B, C, T, S, S)
        long b = x.Size(0), c = x.Size(1), t = x.Size(2), s = x.Size(3);
        var stills = x.Permute(0, 2, 1, 3, 4).Reshape(b * t, c, 1, s, s).Expand(b * t, c, Config.Frames, s, s);
        var parts = new List<Tensor>();
        for (long i = 0; i < b * t; i += batch)
            parts.Add(Features(stills.Narrow(0, i, Math.Min(batch, b * t - i)).Contiguous()));
        return scope.Keep(Tensor.Cat(parts).Reshape(b, t, FeatureDim));
    }

    /// <summary>
    /// Per-frame features for VBench-style background consistency, for every frame of the clips: the frame stage's
    /// maps averaged over a 4×4 grid, (B, T, 16·Width): where things are and what colours and edges fill the scene,
    /// a stand-in for CLIP's image embedding.
    /// </summary>
    public Tensor BackgroundFeatures(Tensor video)
    {
        using var scope = DisposeScope.Enter();
        var x = PrepareFrames(video);
        long b = x.Size(0), t = x.Size(2);
        var f = FrameStage(x);                                                            // (B·T, W, S/2, S/2)
        long s = f.Size(2);
        var grid = F.AvgPool2d(f, (s / 4, s / 4));                                        // (B·T, W, 4, 4)
        return scope.Keep(grid.Reshape(b, t, -1));
    }

    /// <summary>Training targets of a batch of clips, per head: multi-hot (B, K) float or class indices (B) int64.</summary>
    public IReadOnlyDictionary<string, Tensor> Targets(IReadOnlyList<VideoClip> clips, Device device)
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var head in Config.Heads)
        {
            if (head.MultiLabel)
            {
                var target = new float[clips.Count * head.Classes.Length];
                for (int i = 0; i < clips.Count; i++)
                    foreach (var name in LabelsOf(clips[i], head.Name))
                    {
                        int k = Array.IndexOf(head.Classes, name);
                        if (k < 0) throw new InvalidDataException($"clip label '{name}' is not a class of head '{head.Name}' ({string.Join(", ", head.Classes)})");
                        target[i * head.Classes.Length + k] = 1;
                    }
                result[head.Name] = Tensor.From(target, [clips.Count, head.Classes.Length], device);
            }
            else
            {
                var target = new long[clips.Count];
                for (int i = 0; i < clips.Count; i++)
                {
                    var names = LabelsOf(clips[i], head.Name).Distinct().ToArray();
                    if (names.Length != 1) throw new InvalidDataException($"clip '{clips[i].Caption}' has {names.Length} values for single-label head '{head.Name}'");
                    target[i] = Array.IndexOf(head.Classes, names[0]);
                    if (target[i] < 0) throw new InvalidDataException($"clip label '{names[0]}' is not a class of head '{head.Name}'");
                }
                result[head.Name] = Tensor.From(target, device: device);
            }
        }
        return result;
    }

    /// <summary>The ground-truth labels of a clip for one head, from its per-object metadata.</summary>
    public static IEnumerable<string> LabelsOf(VideoClip clip, string head) => head switch
    {
        "color" => clip.Objects.Select(o => o.Color),
        "shape" => clip.Objects.Select(o => o.Shape),
        "object" => clip.Objects.Select(o => $"{o.Color} {o.Shape}"),
        "motion" => clip.Objects.Select(o => o.Motion),
        "digit" => clip.Objects.Select(o => o.Label.ToString()),
        _ => throw new ArgumentException($"unknown head '{head}'"),
    };

    /// <summary>Summed loss over heads: binary cross-entropy with logits (multi-label) or cross-entropy (single).</summary>
    public Tensor Loss(IReadOnlyDictionary<string, Tensor> logits, IReadOnlyDictionary<string, Tensor> targets)
    {
        using var scope = DisposeScope.Enter();
        Tensor? total = null;
        foreach (var head in Config.Heads)
        {
            var l = logits[head.Name];
            var y = targets[head.Name];
            var loss = head.MultiLabel ? BinaryCrossEntropyWithLogits(l, y) : F.CrossEntropy(l, y);
            total = total is null ? loss : total + loss;
        }
        return scope.Keep(total!);
    }

    /// <summary>mean(max(x, 0) − x·y + log(1 + e^−|x|)), the numerically stable BCE of logits x against targets y.</summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor targets)
    {
        using var scope = DisposeScope.Enter();
        var loss = logits.Relu() - logits * targets + logits.Abs().Neg().Exp().Log1p();
        return scope.Keep(loss.Mean());
    }

    /// <summary>The schema a dataset's clips call for: "mnist" for digits, "shapes" otherwise.</summary>
    public static string SchemaOf(VideoClip clip) => clip.Objects.Count > 0 && clip.Objects.All(o => o.Shape == "digit") ? "mnist" : "shapes";
}
