using System.Text;

namespace Workbench.Torch;

/// <summary>Process-wide libtorch facts and settings: version, threads, seeding, CUDA devices.</summary>
public static unsafe class Torch
{
    /// <summary>libtorch's version string, e.g. "1.13.0" or "2.11.0".</summary>
    public static string Version => ReadString(Native.wb_torch_version);

    /// <summary>libtorch's build configuration (BLAS, OpenMP, CUDA) and parallel settings.</summary>
    public static string BuildConfig => ReadString(Native.wb_build_config);

    /// <summary>The path the native bridge was loaded from.</summary>
    public static string? NativeLibraryPath
    {
        get
        {
            _ = Native.wb_num_threads(); // make sure the bridge is loaded
            return NativeLoader.LoadedFrom;
        }
    }

    /// <summary>Intra-op CPU threads (set to the core count when the bridge loads).</summary>
    public static int Threads
    {
        get => Native.wb_num_threads();
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), $"thread count must be >= 1, got {value}");
            Tensor.Check(Native.wb_set_num_threads(value));
        }
    }

    /// <summary>Seeds the global generators of the CPU and every CUDA device (torch.manual_seed).</summary>
    public static void ManualSeed(ulong seed) => Tensor.Check(Native.wb_manual_seed(seed));

    /// <summary>Number of live native tensor handles (for leak checks).</summary>
    public static long LiveTensors => Native.wb_live_handles();

    public static class Cuda
    {
        public static int DeviceCount => Math.Max(0, Native.wb_cuda_device_count());
        public static bool IsAvailable => DeviceCount > 0;

        /// <summary>The device's name and total memory in bytes.</summary>
        public static unsafe (string Name, long TotalMemory) DeviceInfo(int device = 0)
        {
            var buffer = new byte[256];
            long total;
            fixed (byte* p = buffer)
                Tensor.CheckedCount(Native.wb_cuda_device_name(device, p, buffer.Length, out total));
            return (Encoding.UTF8.GetString(buffer, 0, Array.IndexOf(buffer, (byte)0)), total);
        }

        /// <summary>Waits for all queued work on the device (for timing).</summary>
        public static void Synchronize(int device = 0)
        {
            if (IsAvailable) Tensor.Check(Native.wb_cuda_synchronize(device));
        }

        /// <summary>Bytes allocated now and at peak by the caching allocator; optionally resets the peak.</summary>
        public static (long Allocated, long Peak) Memory(int device = 0, bool resetPeak = false)
        {
            Tensor.Check(Native.wb_cuda_memory(device, out var allocated, out var peak, resetPeak ? 1 : 0));
            return (allocated, peak);
        }

        /// <summary>Returns the caching allocator's unused memory to the device (torch.cuda.empty_cache); no-op without CUDA.</summary>
        public static void EmptyCache() => Tensor.Check(Native.wb_cuda_empty_cache());
    }

    private unsafe delegate int StringReader(byte* buffer, int capacity);

    private static unsafe string ReadString(StringReader read)
    {
        int length = Tensor.CheckedCount(read(null, 0), "Torch");
        var buffer = new byte[length + 1];
        fixed (byte* p = buffer) read(p, buffer.Length);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }
}
