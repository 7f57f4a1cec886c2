namespace Workbench.Metrics.Tests;

public class PhysicsTests
{
    private static List<VideoClip> Clips(MotionKind motion, int count, int frames = 20, ulong seed = 2) =>
        Enumerable.Range(0, count).Select(i => new BouncingShapes(new BouncingShapesOptions
        {
            Motions = [motion], Frames = frames, Size = 32, MinObjects = 1, MaxObjects = 2,
        }).Generate(seed, i)).ToList();

    private static VideoClip Shuffle(VideoClip clip, int seed)
    {
        var random = new Random(seed);
        var order = Enumerable.Range(0, clip.Frames).OrderBy(_ => random.Next()).ToArray();
        var shuffled = VideoClip.Blank(clip.Frames, clip.Height, clip.Width, clip.Channels) with { Caption = clip.Caption, Objects = clip.Objects };
        for (int t = 0; t < clip.Frames; t++) clip.Frame(order[t]).CopyTo(shuffled.Frame(t));
        return shuffled;
    }

    [Fact]
    public void TrackingFindsTheGroundTruthCentre()
    {
        var clip = Clips(MotionKind.Linear, 1, seed: 9)[0];
        var truth = clip.Objects[0];
        var track = Physics.Track(clip, truth.Color);
        int checkedFrames = 0;
        for (int t = 0; t < clip.Frames; t++)
        {
            if (track.Count[t] < 0.7 * track.MaxCount || truth.Shape != "ball") continue;
            // A ball's pixel centroid is its centre (to within the pixel grid's rounding).
            Assert.Equal(truth.Position[t].X, track.Centroid[t].X, 0.35);
            Assert.Equal(truth.Position[t].Y, track.Centroid[t].Y, 0.35);
            checkedFrames++;
        }
        Assert.True(checkedFrames > 0 || truth.Shape != "ball");
    }

    [Theory]
    [InlineData(MotionKind.Linear)]
    [InlineData(MotionKind.Gravity)]
    public void ThePhysicsScoreSeparatesRealClipsFromShuffledFrames(MotionKind motion)
    {
        var real = Clips(motion, 24);
        var shuffled = real.Select((c, i) => Shuffle(c, i)).ToList();
        var a = Physics.Evaluate(real);
        var b = Physics.Evaluate(shuffled);
        Assert.True(a.Tracked >= 0.8 * a.Objects, $"only {a.Tracked} of {a.Objects} objects tracked in real clips");
        Assert.True(a.MeanResidual < 0.6, $"real clips fit their motion law with residual {a.MeanResidual:F3} px");
        Assert.True(b.Tracked == 0 || b.MeanResidual > 4 * a.MeanResidual, $"shuffled residual {b.MeanResidual:F3} px vs real {a.MeanResidual:F3} px");
    }

    [Fact]
    public void GravityFitRecoversTheDatasetsAcceleration()
    {
        var report = Physics.Evaluate(Clips(MotionKind.Gravity, 24));
        Assert.NotNull(report.MeanGravity);
        double expected = 0.012 * 32;                       // the generator's g: 0.012 frame sizes per frame²
        Assert.Equal(expected, report.MeanGravity!.Value, expected * 0.15);
    }

    [Fact]
    public void RealOccludedClipsKeepTheirObjects()
    {
        var report = Physics.Permanence(Clips(MotionKind.Occluded, 30, frames: 24));
        Assert.True(report.Events >= 10, $"only {report.Events} occlusion events");
        Assert.True(report.Score >= 0.85, $"permanence of real clips {report.Score:F2} (reappear {report.ReappearRate:F2}, shape {report.SameShapeRate:F2}, path {report.OnPathRate:F2})");
    }

    [Fact]
    public void ObjectsThatVanishOrJumpFailPermanence()
    {
        var clips = Clips(MotionKind.Occluded, 30, frames: 24);
        var wall = Physics.FindOccluder(clips[0])!.Value;
        // Vanish: objects never come out from behind the wall; jump: they come out 6 pixels lower than they went in.
        List<VideoClip> Tamper(Func<VideoClip, VideoClip> edit) => clips.Select(edit).ToList();
        VideoClip Vanish(VideoClip c)
        {
            // Each object's colour is erased on the side of the wall it moves towards: it never comes out.
            var copy = c with { Pixels = (byte[])c.Pixels.Clone() };
            foreach (var o in c.Objects)
            {
                var (r, g, b) = BouncingShapes.Palette[o.Color];
                bool right = o.Velocity[0].X > 0;
                for (int t = 0; t < c.Frames; t++)
                {
                    var f = copy.Frame(t);
                    for (int y = 0; y < c.Height; y++)
                        for (int x = right ? wall.Right : 0; x < (right ? c.Width : wall.Left); x++)
                        {
                            var p = f.Slice((y * c.Width + x) * 3, 3);
                            if (Math.Abs(p[0] - r) + Math.Abs(p[1] - g) + Math.Abs(p[2] - b) < 150) p.Clear();
                        }
                }
            }
            return copy;
        }
        VideoClip Jump(VideoClip c)
        {
            // From the first frame an object is hidden on, everything outside the wall is shifted down by 6 pixels.
            int start = Enumerable.Range(0, c.Frames).FirstOrDefault(t => c.Objects.Any(o => !o.Visible[t]), c.Frames);
            var copy = c with { Pixels = (byte[])c.Pixels.Clone() };
            for (int t = start; t < c.Frames; t++)
            {
                var source = c.Frame(t);
                var f = copy.Frame(t);
                for (int y = 0; y < c.Height; y++)
                    for (int x = 0; x < c.Width; x++)
                    {
                        if (x >= wall.Left && x < wall.Right) continue;
                        int from = y - 6;
                        var pixel = from >= 0 ? source.Slice((from * c.Width + x) * 3, 3) : new byte[3];
                        pixel.CopyTo(f.Slice((y * c.Width + x) * 3, 3));
                    }
            }
            return copy;
        }
        var real = Physics.Permanence(clips);
        var vanished = Physics.Permanence(Tamper(Vanish));
        var jumped = Physics.Permanence(Tamper(Jump));
        Assert.True(vanished.ReappearRate < real.ReappearRate - 0.3, $"vanished {vanished.ReappearRate:F2} vs real {real.ReappearRate:F2}");
        Assert.True(jumped.Score < real.Score - 0.3, $"jumped {jumped.Score:F2} (path {jumped.OnPathRate:F2}) vs real {real.Score:F2}");
    }
}
