using System.Diagnostics;
using Workbench.Torch;

namespace Workbench.Cli.Bench;

/// <summary>
/// One measured op: a kind (the same kinds are implemented by bench/torch_ops.py, so PyTorch runs the
/// identical case in the same `workbench bench` run), its sizes, and the work one call does.
/// </summary>
internal sealed record OpCase(string Kind, long[] Sizes, string DType, string Device)
{
    public string Label => Kind switch
    {
        "add_small" => "add, 1 element (call overhead)",
        "add" => $"add, {Sizes[0]:N0} elements",
        "matmul" => $"matmul {Sizes[0]}x{Sizes[1]} @ {Sizes[1]}x{Sizes[2]}",
        "conv3d" => $"conv3d ({Sizes[0]},{Sizes[1]},{Sizes[2]},{Sizes[3]},{Sizes[4]}) k3 -> {Sizes[5]}",
        "attention" => $"attention B{Sizes[0]} H{Sizes[1]} L{Sizes[2]} E{Sizes[3]}",
        _ => Kind,
    };

    /// <summary>Floating-point operations per call (0 for the overhead cases).</summary>
    public double Flops => Kind switch
    {
        "add" => Sizes[0],
        "matmul" => 2.0 * Sizes[0] * Sizes[1] * Sizes[2],
        // conv3d with padding 1 keeps T, H, W: 2 * N * Cout * T*H*W * Cin * 27
        "conv3d" => 2.0 * Sizes[0] * Sizes[5] * Sizes[2] * Sizes[3] * Sizes[4] * Sizes[1] * 27,
        // QKᵀ and AV: 2 * (2 * B*H*L*L*E)
        "attention" => 4.0 * Sizes[0] * Sizes[1] * Sizes[2] * Sizes[2] * Sizes[3],
        _ => 0,
    };
}

/// <summary>Times one op case through the Workbench API, the same way bench/torch_ops.py times it.</summary>
internal static class OpBenchmark
{
    /// <summary>Seconds per call: median of 5 batches, each long enough (≥ 50 ms) to swamp timer noise.</summary>
    public static double SecondsPerCall(OpCase c)
    {
        var device = Device.Parse(c.Device);
        var dtype = DTypeExtensions.Parse(c.DType);
        using var scope = DisposeScope.Enter();
        Action call = c.Kind switch
        {
            "add_small" => Binary(Tensor.Ones([1], dtype, device), Tensor.Ones([1], dtype, device), (a, b) => a + b),
            "add" => Binary(Tensor.Randn([c.Sizes[0]], dtype, device), Tensor.Randn([c.Sizes[0]], dtype, device), (a, b) => a + b),
            "matmul" => Binary(Tensor.Randn([c.Sizes[0], c.Sizes[1]], dtype, device), Tensor.Randn([c.Sizes[1], c.Sizes[2]], dtype, device), (a, b) => a.MatMul(b)),
            "conv3d" => Binary(Tensor.Randn([c.Sizes[0], c.Sizes[1], c.Sizes[2], c.Sizes[3], c.Sizes[4]], dtype, device),
                               Tensor.Randn([c.Sizes[5], c.Sizes[1], 3, 3, 3], dtype, device) * 0.05,
                               (x, w) => F.Conv3d(x, w, padding: (1, 1, 1))),
            "attention" => Attention(Tensor.Randn([c.Sizes[0], c.Sizes[1], c.Sizes[2], c.Sizes[3]], dtype, device)),
            _ => throw new ArgumentException($"unknown benchmark kind {c.Kind}"),
        };
        return Measure(call, device);
    }

    // Each call's result is disposed at once, as Python's refcounting frees it when the name is rebound.
    private static Action Binary(Tensor a, Tensor b, Func<Tensor, Tensor, Tensor> op) => () => op(a, b).Dispose();

    private static Action Attention(Tensor qkv) => () => F.ScaledDotProductAttention(qkv, qkv, qkv).Dispose();

    private static double Measure(Action call, Device device)
    {
        void Sync() { if (device.IsCuda) Torch.Torch.Cuda.Synchronize(Math.Max(device.Index, 0)); }
        // The calls of this loop create tensors outside the bench's own scope: none, since each result is disposed.
        using var inner = DisposeScope.Enter();
        for (int i = 0; i < 3; i++) call();
        Sync();
        // Calibrate a batch size that takes at least 50 ms.
        int batch = 1;
        while (true)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < batch; i++) call();
            Sync();
            if (sw.Elapsed.TotalSeconds >= 0.05 || batch >= 1 << 22) break;
            batch *= 4;
        }
        var perCall = new double[5];
        for (int r = 0; r < perCall.Length; r++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < batch; i++) call();
            Sync();
            perCall[r] = sw.Elapsed.TotalSeconds / batch;
        }
        Array.Sort(perCall);
        return perCall[perCall.Length / 2];
    }
}
