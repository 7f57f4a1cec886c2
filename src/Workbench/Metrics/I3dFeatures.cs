using Workbench.Torch;

namespace Workbench.Metrics;

/// <summary>
/// The standard FVD features: the Kinetics-400 I3D as StyleGAN-V ships it in TorchScript
/// (<c>i3d_torchscript.pt</c>, a faithful port of the TF-Hub model used by the original FVD code), loaded
/// through libtorch's TorchScript loader. The protocol follows StyleGAN-V's <c>compute_fvd</c>: clips of
/// 16 frames as uint8 (B, 3, 16, H, W) (grey repeated to 3 channels), and the detector called with
/// <c>rescale=True, resize=True, return_features=True</c>, so the network itself maps 0..255 to [-1, 1],
/// resizes to 224×224, and returns the 400-d logits before the softmax.
/// Workbench does not ship or download the file: pass its path, or set <c>WORKBENCH_I3D</c>.
/// </summary>
public sealed class I3dFeatures : IVideoFeatureExtractor
{
    public const int ClipFrames = 16;
    public const int Resolution = 224;
    public const string FileName = "i3d_torchscript.pt";

    private readonly ScriptModule _module;

    public I3dFeatures(string path, Device? device = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"the I3D TorchScript file {path} does not exist; StyleGAN-V's FVD uses {FileName} " +
                "(see docs/metrics.md), or use Workbench's own feature network (--features net RUN)", path);
        _module = ScriptModule.Load(path, device);
        Device = device ?? Device.Cpu;
    }

    public Device Device { get; }
    public string Name => "I3D (StyleGAN-V TorchScript, Kinetics-400)";
    public int Frames => ClipFrames;
    public int Dimension => 400;

    /// <summary>The file named by <c>WORKBENCH_I3D</c>, or <c>~/.cache/workbench/i3d_torchscript.pt</c>, if it exists.</summary>
    public static string? FindDefault()
    {
        var env = Environment.GetEnvironmentVariable("WORKBENCH_I3D");
        if (!string.IsNullOrEmpty(env) && File.Exists(env)) return env;
        var cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "workbench", FileName);
        return File.Exists(cache) ? cache : null;
    }

    /// <summary>Clips (B, C, T ≥ 16, H, W) in [-1, 1] as the detector's input: uint8 (B, 3, 16, H, W), as StyleGAN-V makes it.</summary>
    public static Tensor ToDetectorInput(Tensor video)
    {
        if (video.Rank != 5 || video.Size(1) is not (1 or 3))
            throw new ArgumentException($"I3D takes clips (B, 1 or 3, T, H, W), got {Tensor.FormatShape(video.Shape)}");
        if (video.Size(2) < ClipFrames)
            throw new ArgumentException($"StyleGAN-V's FVD protocol uses clips of {ClipFrames} frames; these have {video.Size(2)}");
        using var scope = DisposeScope.Enter();
        var x = video.Narrow(2, 0, ClipFrames);
        // (x · 127.5 + 128) truncated to uint8: StyleGAN-V's conversion of generated clips; for clips read
        // from bytes b (x = b / 127.5 − 1) it gives back b exactly.
        var bytes = (x.To(DType.Float32) * 127.5 + 128).Clamp(0, 255).To(DType.UInt8);
        if (bytes.Size(1) == 1) bytes = bytes.Expand(-1, 3, -1, -1, -1);
        return scope.Keep(bytes.Contiguous());
    }

    public Tensor Extract(Tensor video)
    {
        using var scope = DisposeScope.Enter();
        var input = ToDetectorInput(video).To(Device);
        var features = _module.Forward([input], new Dictionary<string, object> { ["rescale"] = true, ["resize"] = true, ["return_features"] = true });
        return scope.Keep(features);
    }

    public void Dispose() => _module.Dispose();
}
