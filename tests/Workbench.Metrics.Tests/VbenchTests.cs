namespace Workbench.Metrics.Tests;

public class VbenchTests
{
    private static VideoClip Grey(int width, params byte[][] frames)
    {
        var clip = VideoClip.Blank(frames.Length, 1, width, 1);
        for (int t = 0; t < frames.Length; t++) frames[t].CopyTo(clip.Frame(t));
        return clip;
    }

    [Fact]
    public void FlickeringMatchesAHandComputedExample()
    {
        // Pairs: |0−20|, |10−10| → mean 10;  |20−20|, |10−40| → mean 15;  mean over pairs 12.5.
        var clip = Grey(2, [0, 10], [20, 10], [20, 40]);
        Assert.Equal((255 - 12.5) / 255, Vbench.TemporalFlickering(clip), 12);
    }

    [Fact]
    public void FlickeringAveragesOverChannelsAndPixels()
    {
        var clip = VideoClip.Blank(2, 2, 2, 3);
        clip.Frame(1).Fill(0);
        clip.Frame(1)[0] = 255;              // one value of 12 changes by 255
        Assert.Equal((255 - 255.0 / 12) / 255, Vbench.TemporalFlickering(clip), 12);
        Assert.Equal(1.0, Vbench.TemporalFlickering(VideoClip.Blank(5, 4, 4, 3)), 12);
    }

    [Fact]
    public void ConsistencyFollowsVbenchsFormula()
    {
        using var scope = DisposeScope.Enter();
        // Frame 1: cos(prev) = cos(first) = 1/√2. Frame 2: cos(prev) = 1/√2, cos(first) = 0.
        var (sum, count) = Vbench.Consistency(Tensor.From(new double[,] { { 1, 0 }, { 1, 1 }, { 0, 1 } }));
        Assert.Equal(2, count);
        Assert.Equal(1 / Math.Sqrt(2) + 0.5 / Math.Sqrt(2), sum, 12);
        // Negative similarities count as 0 (VBench's max(0, ·)).
        var (opposite, _) = Vbench.Consistency(Tensor.From(new double[,] { { 1, 0 }, { -1, 0 } }));
        Assert.Equal(0, opposite, 12);
    }

    private static VideoClip Shapes(MotionKind motion, int index, int size = 32, int frames = 17) =>
        new BouncingShapes(new BouncingShapesOptions { Motions = [motion], Size = size, Frames = frames, MinObjects = 1, MaxObjects = 1 }).Generate(1, index);

    [Fact]
    public void DynamicDegreeUsesVbenchsThresholds()
    {
        var still = VideoClip.Blank(16, 64, 64, 1) with { Fps = 8 };
        var r = Vbench.DynamicDegree(still);
        Assert.Equal(6.0 * 64 / 256, r.Threshold, 12);      // 6 · (min side / 256) at 8 fps
        Assert.Equal(4, r.CountNeeded);                     // round(4 · 16 / 16)
        Assert.False(r.IsDynamic);
        var slow = Vbench.DynamicDegree(VideoClip.Blank(10, 32, 48, 1) with { Fps = 4 });
        Assert.Equal(2 * 6.0 * 32 / 256, slow.Threshold, 12); // factor max(1, 8/4) = 2, min side 32
        Assert.Equal(2, slow.CountNeeded);                  // round(2.5) = 2, as Python rounds
        var fast = Vbench.DynamicDegree(VideoClip.Blank(32, 32, 32, 1) with { Fps = 24 });
        Assert.Equal(10, fast.Scores.Length);               // every round(24 / 8) = 3rd frame: 11 frames, 10 pairs
        Assert.Equal(3, fast.CountNeeded);                  // round(4 · 11 / 16) = round(2.75)
        Assert.Equal(6.0 * 32 / 256, fast.Threshold, 12);   // factor max(1, 8 / 24) = 1
    }

    [Fact]
    public void MovingShapesAreDynamicAndStillOnesAreNot()
    {
        var moving = Shapes(MotionKind.Linear, 3) with { Fps = 8 };
        var result = Vbench.DynamicDegree(moving);
        Assert.True(result.IsDynamic, $"scores {string.Join(", ", result.Scores.Select(s => s.ToString("F2")))} vs threshold {result.Threshold}");
        var still = VideoClip.Blank(17, 32, 32, 3);
        for (int t = 0; t < 17; t++) moving.Frame(0).CopyTo(still.Frame(t));
        Assert.False(Vbench.DynamicDegree(still with { Fps = 8 }).IsDynamic);
        Assert.True(Vbench.IsStatic(still));
        Assert.False(Vbench.IsStatic(moving));
    }

    [Fact]
    public void SmoothMotionScoresHigherThanShuffledFrames()
    {
        var clip = Shapes(MotionKind.Linear, 5);
        double smooth = Vbench.MotionSmoothness(clip);
        var order = new[] { 0, 9, 2, 14, 4, 1, 6, 16, 8, 3, 10, 12, 11, 5, 13, 7, 15 };
        var shuffled = VideoClip.Blank(17, 32, 32, 3);
        for (int t = 0; t < 17; t++) clip.Frame(order[t]).CopyTo(shuffled.Frame(t));
        double jumpy = Vbench.MotionSmoothness(shuffled);
        Assert.True(smooth > jumpy, $"smooth {smooth} vs shuffled {jumpy}");
        Assert.True(smooth > 0.98, $"smooth motion scored {smooth}");
        // The flow interpolator follows the moving object; a cross-fade leaves two half-bright copies.
        Assert.True(smooth >= Vbench.MotionSmoothness(clip, FrameInterpolator.Blend));
    }

    [Fact]
    public void MotionSmoothnessOfAStillClipIsOne()
    {
        var clip = VideoClip.Blank(9, 16, 16, 3);
        for (int t = 0; t < 9; t++) clip.Frame(t).Fill(77);
        Assert.Equal(1.0, Vbench.MotionSmoothness(clip), 12);
        Assert.Equal(1.0, Vbench.MotionSmoothness(clip, FrameInterpolator.Blend), 12);
    }
}
