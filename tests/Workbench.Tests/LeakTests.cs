using System.Runtime.CompilerServices;

namespace Workbench.Tests;

/// <summary>
/// Native memory comes back: live handle counts return to their baseline and the process RSS stays flat.
/// These run alone, since the handle count is process-wide.
/// </summary>
[Collection(SerialCollection.Name)]
public class LeakTests
{
    private static long RssBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:"))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        throw new InvalidOperationException("no VmRSS in /proc/self/status");
    }

    private static void CollectGarbage()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    /// <summary>One training-like step: forward, loss, backward, an attention map, indexing, multi-output ops.</summary>
    private static float Step(Device d, int i)
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.Randn([8, 32], device: d);
        var w = Tensor.Randn([16, 32], device: d, requiresGrad: true);
        var h = F.Gelu(F.Linear(x, w)).Reshape(2, 4, 16);
        var (attended, weights) = F.ScaledDotProductAttentionWithWeights(h, h, h, isCausal: true);
        var loss = F.MseLoss(attended, Tensor.ZerosLike(attended)) + weights[.., 0].Mean();
        loss.Backward();
        var (top, _) = w.Grad!.Abs().TopK(3);
        var parts = x.Chunk(4, dim: 1);
        return loss.Item<float>() + top[0, 0].Item<float>() + Tensor.Cat(parts, 1)[i % 8, 0].Item<float>();
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ThousandsOfScopedStepsReturnLiveTensorsToTheBaseline(string device)
    {
        var d = TestDevices.Require(device);
        long baseline = LibTorch.LiveTensors;
        for (int i = 0; i < 3000; i++) Step(d, i);
        Assert.Equal(baseline, LibTorch.LiveTensors);
    }

    [Fact]
    public void ProcessMemoryStaysFlatOverThousandsOfScopedSteps()
    {
        for (int i = 0; i < 500; i++) Step(Device.Cpu, i); // warm-up: allocator pools, JIT, thread pools
        CollectGarbage();
        long before = RssBytes();
        for (int i = 0; i < 5000; i++) Step(Device.Cpu, i);
        CollectGarbage();
        long growth = RssBytes() - before;
        Assert.True(growth < 50L << 20, $"RSS grew by {growth >> 20} MB over 5000 steps");
    }

    [Fact]
    public void CudaMemoryReturnsToItsBaselineAfterScopedSteps()
    {
        Assert.SkipUnless(TestDevices.HasCuda, "no CUDA device on this machine");
        var d = Device.Cuda();
        for (int i = 0; i < 20; i++) Step(d, i);
        LibTorch.Cuda.Synchronize();
        long before = LibTorch.Cuda.Memory().Allocated;
        for (int i = 0; i < 1000; i++) Step(d, i);
        LibTorch.Cuda.Synchronize();
        Assert.Equal(before, LibTorch.Cuda.Memory().Allocated);
    }

    [Fact]
    public void FailingOpsLeaveNoHandlesBehind()
    {
        long baseline = LibTorch.LiveTensors;
        using (var scope = DisposeScope.Enter())
        {
            var a = Tensor.Zeros([2, 3]);
            var b = Tensor.Zeros([4, 5]);
            for (int i = 0; i < 100; i++) // libtorch errors are slow (each records a backtrace)
            {
                Assert.Throws<TorchException>(() => a + b);
                Assert.Throws<TorchException>(() => a.Sum(7));
                Assert.Throws<IndexOutOfRangeException>(() => a[1, TensorIndex.NewAxis, 9]); // fails mid-way through an index
                Assert.Throws<TorchException>(() => a.TopK(9));
            }
            Assert.Equal(2, scope.Count);
        }
        Assert.Equal(baseline, LibTorch.LiveTensors);
    }

    [Fact]
    public void ScopedTensorsAreFreedAtTheEndOfTheScopeNotByTheGC()
    {
        long baseline = LibTorch.LiveTensors;
        using (DisposeScope.Enter())
        {
            for (int i = 0; i < 100; i++) _ = Tensor.Ones([4]) * i;
            Assert.Equal(baseline + 200, LibTorch.LiveTensors);
        }
        Assert.Equal(baseline, LibTorch.LiveTensors);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AllocateAndDrop(int count)
    {
        for (int i = 0; i < count; i++) _ = Tensor.Ones([16]) + i;
    }

    [Fact]
    public void UndisposedTensorsOutsideScopesAreCollectedByTheGC()
    {
        Assert.Null(DisposeScope.Current);
        CollectGarbage();
        long baseline = LibTorch.LiveTensors;
        AllocateAndDrop(2000);
        Assert.True(LibTorch.LiveTensors > baseline, "the tensors were freed before the GC ran");
        CollectGarbage();
        Assert.InRange(LibTorch.LiveTensors, 0, baseline + 10);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AllocateLargeAndDrop(int count)
    {
        for (int i = 0; i < count; i++) _ = Tensor.Zeros([1 << 18]); // 1 MB each
    }

    [Fact]
    public void UndisposedLargeTensorsAreReportedToTheGCSoMemoryStaysBounded()
    {
        Assert.Null(DisposeScope.Current);
        CollectGarbage();
        long before = RssBytes();
        AllocateLargeAndDrop(2000); // 2 GB if nothing were collected along the way
        long growth = RssBytes() - before;
        Assert.True(growth < 1L << 30, $"RSS grew by {growth >> 20} MB for 2000 dropped 1 MB tensors");
        CollectGarbage();
    }
}
