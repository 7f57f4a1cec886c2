namespace Workbench.Torch;

/// <summary>
/// Automatic mixed precision over a region of code (torch.autocast): while the region is open, libtorch runs
/// the ops that gain from it (linear, matmul, convolutions, fused attention) in a lower precision — bfloat16
/// by default — and keeps the precision-sensitive ones (norms, softmax, exp/log, losses) in float32. Weights
/// stay float32 ("master weights"); each is cast once per outermost region (libtorch's autocast cache, cleared
/// when the outermost region closes), and backward carries gradients to the float32 weights in float32, so an
/// optimizer keeps float32 state without doing anything. Run the forward pass and the loss inside the region
/// and <c>Backward()</c> after it, as PyTorch recommends.
/// <code>
/// using (new Autocast(device)) loss = objective.Loss(model, x0);
/// loss.Backward();
/// </code>
/// The state is libtorch's, per thread and per device type (CPU and CUDA are separate): a region affects only
/// tensors of its device type, must be closed on the thread that opened it, and regions nest (closing one
/// restores what was set before).
/// </summary>
public sealed class Autocast : IDisposable
{
    private readonly bool _previousEnabled;
    private readonly DType _previousDType;
    private readonly int _thread = Environment.CurrentManagedThreadId;
    private bool _disposed;

    public DeviceType DeviceType { get; }
    /// <summary>The lower precision of this region (bfloat16 or float16).</summary>
    public DType DType { get; }
    public bool Enabled { get; }

    /// <param name="device">Ops on tensors of this device's type are autocast (CPU or CUDA).</param>
    /// <param name="dtype">bfloat16 (CPU and CUDA) or float16 (CUDA only; usually needs loss scaling in training).</param>
    /// <param name="enabled">false opens a region with autocast off (torch.autocast(enabled=False)), e.g. to force float32 inside an autocast region.</param>
    public Autocast(Device device, DType dtype = DType.BFloat16, bool enabled = true)
    {
        Validate(device, dtype);
        (DeviceType, DType, Enabled) = (device.Type, dtype, enabled);
        (_previousEnabled, _previousDType) = State(device.Type);
        Tensor.Check(Native.wb_autocast_enter((int)device.Type, enabled ? 1 : 0, (int)dtype), "Autocast");
    }

    /// <summary>A region when <paramref name="dtype"/> is set, otherwise null (float32 throughout); for <c>using var _ = Autocast.IfEnabled(...)</c>.</summary>
    public static Autocast? IfEnabled(Device device, DType? dtype) => dtype is { } d ? new Autocast(device, d) : null;

    /// <summary>Whether autocast is on for <paramref name="type"/> on this thread.</summary>
    public static bool IsEnabled(DeviceType type) => State(type).Enabled;

    /// <summary>The lower precision autocast uses for <paramref name="type"/> on this thread (when enabled).</summary>
    public static DType LowerPrecision(DeviceType type) => State(type).DType;

    /// <summary>
    /// Parses a precision option: "fp32"/"float32"/"none" → null (no autocast), "bf16"/"bfloat16" → bfloat16,
    /// "fp16"/"float16" → float16.
    /// </summary>
    public static DType? ParsePrecision(string text) => text.Trim().ToLowerInvariant() switch
    {
        "fp32" or "float32" or "none" or "off" => null,
        "bf16" or "bfloat16" => DType.BFloat16,
        "fp16" or "float16" or "half" => DType.Float16,
        _ => throw new ArgumentException($"unknown precision '{text}' (expected fp32, bf16 or fp16)", nameof(text)),
    };

    private static (bool Enabled, DType DType) State(DeviceType type)
    {
        Tensor.Check(Native.wb_autocast_state((int)type, out int enabled, out int dtype), "Autocast");
        return (enabled == 1, (DType)dtype);
    }

    private static void Validate(Device device, DType dtype)
    {
        if (dtype is not (DType.BFloat16 or DType.Float16))
            throw new ArgumentException($"autocast runs ops in a lower precision, bfloat16 or float16; got {dtype.Name()} (leave autocast off for float32)", nameof(dtype));
        if (device.IsCuda && !Torch.Cuda.IsAvailable)
            throw new ArgumentException($"CUDA autocast needs a CUDA device, and this process sees none (libtorch {Torch.Version}); use the CPU or a CUDA build of the bridge", nameof(device));
        if (!device.IsCuda && dtype != DType.BFloat16)
            throw new ArgumentException($"CPU autocast supports bfloat16 only, got {dtype.Name()}", nameof(dtype));
    }

    public void Dispose()
    {
        if (_disposed) return;
        if (Environment.CurrentManagedThreadId != _thread)
            throw new InvalidOperationException($"an autocast region must be closed on the thread that opened it (autocast state is per thread): opened on thread {_thread}, closed on {Environment.CurrentManagedThreadId}");
        _disposed = true;
        Tensor.Check(Native.wb_autocast_exit((int)DeviceType, _previousEnabled ? 1 : 0, (int)_previousDType), "Autocast");
    }

    public override string ToString() => $"Autocast({DeviceType.ToString().ToLowerInvariant()}, {DType.Name()}{(Enabled ? "" : ", disabled")})";
}
