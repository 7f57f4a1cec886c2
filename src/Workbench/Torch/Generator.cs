namespace Workbench.Torch;

/// <summary>
/// A private, seeded stream of random numbers on one device (torch.Generator): the same seed gives
/// the same tensors, whatever else draws from the global generator meanwhile.
/// </summary>
public sealed class Generator : IDisposable
{
    private IntPtr _handle;

    public Generator(ulong seed, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        _handle = Native.wb_generator_new(seed, (int)d.Type, d.Type == DeviceType.Cuda ? Math.Max(d.Index, 0) : -1);
        if (_handle == IntPtr.Zero) throw Tensor.LastError("Generator");
        Device = d;
        Seed = seed;
    }

    public Device Device { get; }
    public ulong Seed { get; private set; }

    internal static IntPtr HandleOf(Generator? g) => g is null ? IntPtr.Zero : g.Handle;

    private IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(Generator));

    /// <summary>Restarts the stream from <paramref name="seed"/>.</summary>
    public Generator ManualSeed(ulong seed)
    {
        Tensor.Check(Native.wb_generator_seed(Handle, seed));
        Seed = seed;
        return this;
    }

    /// <summary>The generator's full state (a uint8 tensor), for checkpoints.</summary>
    public Tensor GetState()
    {
        Tensor.Check(Native.wb_generator_get_state(Handle, out var state));
        return Tensor.Wrap(state);
    }

    public void SetState(Tensor state) => Tensor.Check(Native.wb_generator_set_state(Handle, state.Handle));

    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        Native.wb_generator_free(_handle);
        _handle = IntPtr.Zero;
        GC.SuppressFinalize(this);
    }

    ~Generator()
    {
        if (_handle != IntPtr.Zero) Native.wb_generator_free(_handle);
    }
}
