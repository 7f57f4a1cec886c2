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

    // The generator that draws naming none come from on this thread (and the async flow it starts).
    private static readonly AsyncLocal<Generator?> s_ambient = new();

    internal static IntPtr HandleOf(Generator? g) => (g ?? s_ambient.Value) is { } chosen ? chosen.Handle : IntPtr.Zero;

    /// <summary>
    /// Until disposed, random draws on this thread that name no generator (weight initialisers, Randn without
    /// one) come from <paramref name="generator"/> instead of the global generator. A model built inside
    /// <c>using (Generator.Use(new Generator(seed)))</c> gets the same weights whatever other threads draw from
    /// the global generator meanwhile (seeding the global one and then building is a race between threads).
    /// </summary>
    public static IDisposable Use(Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var previous = s_ambient.Value;
        s_ambient.Value = generator;
        return new Restore(previous);
    }

    /// <summary>
    /// Runs <paramref name="build"/> (a model's constructor, say) with its draws from a fresh CPU generator
    /// seeded with <paramref name="seed"/>: the same values as <c>Torch.ManualSeed(seed)</c> then build, without
    /// the race with other threads drawing from the global generator.
    /// </summary>
    public static T Seeded<T>(ulong seed, Func<T> build)
    {
        using var generator = new Generator(seed);
        using (Use(generator)) return build();
    }

    private sealed class Restore(Generator? previous) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            s_ambient.Value = previous;
        }
    }

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
