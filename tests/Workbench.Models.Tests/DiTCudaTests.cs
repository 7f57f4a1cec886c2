using Workbench.Models.Attention;

namespace Workbench.Models.Tests;

/// <summary>The DiT on a CUDA device (fused attention kernels on libtorch 2.x); skipped without CUDA.</summary>
public class DiTCudaTests
{
    public static TheoryData<AttentionLayout> Layouts => new(Enum.GetValues<AttentionLayout>());

    [Theory]
    [MemberData(nameof(Layouts))]
    public void OnTheGpuEachLayoutMatchesTheCpuAndTrainsInBf16(AttentionLayout layout)
    {
        Assert.SkipUnless(Workbench.Torch.Torch.Cuda.IsAvailable, "no CUDA device");
        var config = DiTTestKit.Small(layout, TextConditioning.Joint) with { Hidden = 64, Heads = 4, Depth = 3, FrameConditioning = true, QkNorm = true };
        using var model = DiTTestKit.Model(config);
        DiTTestKit.Randomize(model, seed: 3);
        using var scope = DisposeScope.Enter();
        var x = Tensor.Randn([2, 4, 5, 8, 12]);
        var t = Tensor.From([0.25f, 0.75f]);
        var cond = new DiTConditioning { Text = DiTTestKit.Tokens(2, 6, 20) }.WithFirstFrame(Tensor.Randn([2, 4, 1, 8, 12]), 5);
        var cuda = Device.Cuda(0);
        var condCuda = cond with { Text = cond.Text!.To(cuda), FrameLatent = cond.FrameLatent!.To(cuda), FrameMask = cond.FrameMask!.To(cuda) };
        Tensor cpu;
        using (new NoGrad()) cpu = model.Forward(x, t, cond);

        model.To(cuda);
        Tensor gpu;
        using (new NoGrad()) gpu = model.Forward(x.To(cuda), t.To(cuda), condCuda).Cpu();
        Assert.True(gpu.AllClose(cpu, 1e-3, 1e-3), $"CUDA float32 differs from CPU by {DiTTestKit.MaxAbsDiff(gpu, cpu)}");

        var probe = new AttentionProbe(1, 2, (4, 3, 5));
        using (new NoGrad()) model.ForwardWithAttention(x.To(cuda), t.To(cuda), probe, condCuda);
        foreach (var map in probe.Maps)
            Assert.Equal(1.0, map.Video.Sum().Item<double>() / 2 + map.Text!.Sum().Item<double>() / 2, 4);

        model.To(DType.BFloat16);
        var bf16 = condCuda with { FrameLatent = condCuda.FrameLatent!.To(DType.BFloat16) };
        var y = model.Forward(x.To(cuda).To(DType.BFloat16), t.To(cuda), bf16);
        Assert.Equal(DType.BFloat16, y.DType);
        var scale = cpu.Abs().Mean().Item<double>();
        Assert.True((y.Float().Cpu() - cpu).Abs().Mean().Item<double>() < 0.05 * scale + 1e-3, "bf16 output far from the float32 one");
        // Backward with one caption dropped, so the null embedding is used too.
        model.Forward(x.To(cuda).To(DType.BFloat16), t.To(cuda), bf16 with { DropText = Tensor.From([false, true]).To(cuda) }).Float().Square().Mean().Backward();
        foreach (var (name, p) in model.NamedParameters())
            Assert.True(p.Grad is { } g && g.Float().IsFinite().All().Item<long>() == 1, $"{name}: no finite gradient");
    }
}
