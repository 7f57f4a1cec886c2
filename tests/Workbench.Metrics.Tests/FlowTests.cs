namespace Workbench.Metrics.Tests;

public class FlowTests
{
    // A smooth pattern sampled analytically, so a sub-pixel shift carries no resampling error.
    private static double Pattern(double x, double y) =>
        128 + 50 * Math.Sin(2 * Math.PI * x / 17) * Math.Cos(2 * Math.PI * y / 13) + 30 * Math.Sin(2 * Math.PI * (x + 0.7 * y) / 23);

    private static Tensor Image(int size, double dx, double dy)
    {
        var v = new float[size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++) v[y * size + x] = (float)Pattern(x - dx, y - dy);
        return Tensor.From(v, [1, 1, size, size]);
    }

    private static (double U, double V) MedianInterior(Tensor flow, int margin)
    {
        long s = flow.Size(2);
        var inner = flow.Narrow(2, margin, s - 2 * margin).Narrow(3, margin, s - 2 * margin);
        double Median(int c)
        {
            var values = inner.Select(1, c).Contiguous().ToArray<float>().Order().ToArray();
            return values[values.Length / 2];
        }
        return (Median(0), Median(1));
    }

    [Theory]
    [InlineData(FlowMethod.LucasKanade, 1.3, -0.7)]
    [InlineData(FlowMethod.LucasKanade, -0.4, 0.25)]
    [InlineData(FlowMethod.LucasKanade, 3.6, 2.2)]
    [InlineData(FlowMethod.HornSchunck, 1.3, -0.7)]
    [InlineData(FlowMethod.HornSchunck, -0.4, 0.25)]
    [InlineData(FlowMethod.HornSchunck, 3.6, 2.2)]
    public void RecoversAKnownTranslationToSubPixelAccuracy(FlowMethod method, double dx, double dy)
    {
        using var scope = DisposeScope.Enter();
        // frame2 is frame1 moved by (dx, dy): frame1(x) = frame2(x + d), so the flow is d everywhere.
        var flow = OpticalFlow.Compute(Image(48, 0, 0), Image(48, dx, dy), new FlowOptions { Method = method });
        Assert.Equal(new long[] { 1, 2, 48, 48 }, flow.Shape);
        var (u, v) = MedianInterior(flow, 8);
        Assert.True(Math.Abs(u - dx) < 0.1 && Math.Abs(v - dy) < 0.1, $"flow ({u:F3}, {v:F3}) for a shift of ({dx}, {dy})");
    }

    [Theory]
    [InlineData(FlowMethod.LucasKanade)]
    [InlineData(FlowMethod.HornSchunck)]
    public void SymmetricFlowIsHalfTheDisplacementAtMidTime(FlowMethod method)
    {
        using var scope = DisposeScope.Enter();
        // frame1(x − v) ≈ frame2(x + v) for a shift d: v = d / 2.
        var v = OpticalFlow.Symmetric(Image(48, 0, 0), Image(48, 2.4, -1.0), new FlowOptions { Method = method });
        var (u, w) = MedianInterior(v, 8);
        Assert.True(Math.Abs(u - 1.2) < 0.1 && Math.Abs(w + 0.5) < 0.1, $"symmetric flow ({u:F3}, {w:F3}) for a shift of (2.4, -1.0)");
    }

    [Fact]
    public void WarpByAWholePixelShiftsTheImage()
    {
        using var scope = DisposeScope.Enter();
        var image = Tensor.Arange(0, 20, 1, DType.Float32).Reshape(1, 1, 4, 5);
        var flow = Tensor.Cat([Tensor.Full([1, 1, 4, 5], 1.0f), Tensor.Full([1, 1, 4, 5], 0.0f)], 1);
        var warped = OpticalFlow.Warp(image, flow).ToArray<float>();
        // result(x, y) = image(x + 1, y), clamped at the right border.
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 5; x++) Assert.Equal(y * 5 + Math.Min(x + 1, 4), warped[y * 5 + x], 4);
    }

    [Theory]
    [InlineData(FlowMethod.LucasKanade)]
    [InlineData(FlowMethod.HornSchunck)]
    public void IdenticalFramesHaveZeroFlow(FlowMethod method)
    {
        using var scope = DisposeScope.Enter();
        var frame = Image(24, 0, 0);
        var flow = OpticalFlow.Compute(frame, frame, new FlowOptions { Method = method });
        Assert.True(flow.Abs().Max().Item<double>() < 1e-4);
    }

    [Fact]
    public void AMovingObjectOnAPlainBackgroundLeavesTheBackgroundStill()
    {
        // A bright 6×6 square moves 2 px right on black: Lucas–Kanade gives ~2 px on it and ~0 far from it.
        using var scope = DisposeScope.Enter();
        Tensor Square(int left)
        {
            var v = new float[32 * 32];
            for (int y = 12; y < 18; y++) for (int x = left; x < left + 6; x++) v[y * 32 + x] = 200;
            return Tensor.From(v, [1, 1, 32, 32]);
        }
        var flow = OpticalFlow.Compute(Square(10), Square(12));
        var u = flow.Select(1, 0)[0];
        Assert.Equal(2.0, u[15, 12].Item<double>(), 0.3);
        var magnitude = flow.Square().Sum(1).Sqrt()[0];
        Assert.True(magnitude.Narrow(0, 0, 4).Max().Item<double>() < 0.05, "rows far above the square should not move");
        Assert.True(magnitude.Narrow(1, 26, 6).Max().Item<double>() < 0.05, "columns far right of the square should not move");
    }
}
