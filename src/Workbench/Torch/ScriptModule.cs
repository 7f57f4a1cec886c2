using System.Runtime.InteropServices;

namespace Workbench.Torch;

/// <summary>
/// A TorchScript model loaded from a file saved by <c>torch.jit.save</c> (torch.jit.load): a network
/// defined in Python that runs here without Python, e.g. the I3D of StyleGAN-V's FVD. Forward runs
/// without gradients; keyword arguments may be bools, integers or floats.
/// <code>
/// using var i3d = ScriptModule.Load("i3d_torchscript.pt");
/// var features = i3d.Forward([videos], new() { ["rescale"] = true, ["resize"] = true, ["return_features"] = true });
/// </code>
/// </summary>
public sealed class ScriptModule : IDisposable
{
    private IntPtr _handle;

    private ScriptModule(IntPtr handle, string path, Device device) => (_handle, Path, Device) = (handle, path, device);

    public string Path { get; }
    public Device Device { get; }

    /// <summary>Loads <paramref name="path"/> with its parameters on <paramref name="device"/> (default CPU), in eval mode.</summary>
    public static ScriptModule Load(string path, Device? device = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"TorchScript file {path} does not exist", path);
        var d = device ?? Device.Cpu;
        var handle = Native.wb_jit_load(System.IO.Path.GetFullPath(path), (int)d.Type, d.Index);
        if (handle == IntPtr.Zero) throw Tensor.LastError($"ScriptModule.Load({path})");
        return new ScriptModule(handle, path, d);
    }

    /// <summary>
    /// forward(inputs..., **kwargs); the result is the returned tensor (or the first tensor of a returned tuple).
    /// Keyword values: bool, int/long, float/double.
    /// </summary>
    public unsafe Tensor Forward(IReadOnlyList<Tensor> inputs, IReadOnlyDictionary<string, object>? kwargs = null)
    {
        var handle = _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(ScriptModule));
        var entries = kwargs?.ToArray() ?? [];
        var names = new IntPtr[entries.Length];
        var values = new double[entries.Length];
        var kinds = new int[entries.Length];
        try
        {
            for (int i = 0; i < entries.Length; i++)
            {
                (values[i], kinds[i]) = entries[i].Value switch
                {
                    bool flag => (flag ? 1.0 : 0.0, 0),
                    int integer => ((double)integer, 1),
                    long integer => ((double)integer, 1),
                    float real => ((double)real, 2),
                    double real => (real, 2),
                    var other => throw new ArgumentException($"keyword argument '{entries[i].Key}' is a {other?.GetType().Name ?? "null"}; only bool, int, long, float and double are supported", nameof(kwargs)),
                };
                names[i] = Marshal.StringToCoTaskMemUTF8(entries[i].Key);
            }
            fixed (IntPtr* n = names)
            fixed (double* v = values)
            fixed (int* k = kinds)
            {
                // Fixed locals cannot be captured by the lambda: pass them on as addresses.
                IntPtr np = (IntPtr)n, vp = (IntPtr)v, kp = (IntPtr)k;
                int count = entries.Length;
                return Tensor.WithRawHandles(inputs, raw => Tensor.Wrap(
                    Native.wb_jit_forward(handle, raw, raw.Length, (IntPtr*)np, (double*)vp, (int*)kp, count), "ScriptModule.Forward"));
            }
        }
        finally
        {
            foreach (var p in names) if (p != IntPtr.Zero) Marshal.FreeCoTaskMem(p);
        }
    }

    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        Native.wb_jit_free(_handle);
        _handle = IntPtr.Zero;
        GC.SuppressFinalize(this);
    }

    ~ScriptModule()
    {
        if (_handle != IntPtr.Zero) Native.wb_jit_free(_handle);
    }
}
