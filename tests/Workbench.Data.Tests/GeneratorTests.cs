namespace Workbench.Data.Tests;

public class GeneratorTests
{
    [Fact]
    public void RngMatchesTheReferenceXoshiro256StarStarSeededBySplitMix64()
    {
        // Expected values from an independent implementation of the published algorithms
        // (Blackman & Vigna; SplitMix64 from seed 0 gives e220a8397b1dcdaf, 6e789e6aa1b965f4, ...).
        var rng = new Rng(0);
        Assert.Equal(11091344671253066420UL, rng.NextULong());
        Assert.Equal(13793997310169335082UL, rng.NextULong());
        Assert.Equal(1900383378846508768UL, rng.NextULong());
    }

    [Fact]
    public void CaptionsNameEveryObjectsColourShapeAndMotion()
    {
        var generator = new BouncingShapes();
        var seen = new HashSet<string>();
        for (int i = 0; i < 60; i++)
        {
            var clip = generator.Generate(11, i);
            var parts = clip.Caption.Split(" and ", StringSplitOptions.None).Where(p => p.StartsWith("a ") || p.StartsWith("an ")).ToArray();
            Assert.Equal(clip.Objects.Count, parts.Length);
            for (int k = 0; k < parts.Length; k++)
            {
                var o = clip.Objects[k];
                Assert.StartsWith($"{("aeiou".Contains(o.Color[0]) ? "an" : "a")} {o.Color} {o.Shape} ", parts[k]);
                string expected = o.Motion switch { "gravity" => "falls", "occluded" => "behind a wall", _ => "moves" };
                Assert.Contains(expected, parts[k]);
                seen.Add(o.Motion);
            }
        }
        Assert.Equal(3, seen.Count);
    }

    [Fact]
    public void LinearCaptionsGiveTheDominantDirectionOfMotion()
    {
        var generator = new BouncingShapes(new BouncingShapesOptions { Motions = [MotionKind.Linear], MaxObjects = 1 });
        for (int i = 0; i < 30; i++)
        {
            var clip = generator.Generate(5, i);
            var (vx, vy) = clip.Objects[0].Velocity[0];
            string direction = Math.Abs(vx) >= Math.Abs(vy) ? (vx > 0 ? "right" : "left") : (vy > 0 ? "down" : "up");
            Assert.EndsWith("moves " + direction, clip.Caption);
        }
    }

    [Fact]
    public void SameSeedGivesTheSameClipAndAnotherSeedDoesNot()
    {
        var generator = new BouncingShapes();
        Assert.Equal(generator.Generate(1, 5).Pixels, generator.Generate(1, 5).Pixels);
        Assert.NotEqual(generator.Generate(1, 5).Pixels, generator.Generate(2, 5).Pixels);
    }

    [Fact]
    public void MovingMnistIsThePixelwiseMaximumOfDigitsOnTheirTrajectories()
    {
        var digits = MnistDigits.Load();
        Assert.Equal(10_000, digits.Count);
        var generator = new MovingMnist(digits);
        var clip = generator.Generate(0, 3);
        Assert.Equal((20, 64, 64, 1), (clip.Frames, clip.Height, clip.Width, clip.Channels));
        Assert.Equal(2, clip.Objects.Count);
        double step = 0.1 * (64 - 28);
        Assert.Equal($"the digits {clip.Objects[0].Label} and {clip.Objects[1].Label} move and bounce", clip.Caption);
        for (int t = 0; t < clip.Frames; t++)
        {
            // Re-draw the frame from the ground truth and the digit images: the maximum of the placed digits.
            var expected = new byte[64 * 64];
            foreach (var o in clip.Objects)
            {
                Assert.Equal(step, Math.Sqrt(o.Velocity[t].X * o.Velocity[t].X + o.Velocity[t].Y * o.Velocity[t].Y), 9);
                Assert.Equal(digits.Labels[o.Source], o.Label);
                int left = (int)(o.Position[t].X - 14), top = (int)(o.Position[t].Y - 14);
                Assert.InRange(left, 0, 36);
                Assert.InRange(top, 0, 36);
                for (int r = 0; r < 28; r++)
                    for (int c = 0; c < 28; c++)
                        expected[(top + r) * 64 + left + c] = Math.Max(expected[(top + r) * 64 + left + c], digits.Images[o.Source][r * 28 + c]);
            }
            Assert.Equal(expected, clip.Frame(t).ToArray());
        }
    }

    [Fact]
    public void MovingMnistPositionsAdvanceByTheStepUnlessTheyBounce()
    {
        var generator = new MovingMnist(MnistDigits.Load(), new MovingMnistOptions { Frames = 30, Digits = 1 });
        double canvas = 64 - 28;
        for (int i = 0; i < 10; i++)
        {
            var track = generator.Generate(9, i).Objects[0];
            for (int t = 1; t < track.Position.Length; t++)
            {
                if (track.Bounced[t]) continue;
                // Positions are whole pixels of canvas·(unit trajectory): they move by the rounded step.
                Assert.InRange(Math.Abs(track.Position[t].X - track.Position[t - 1].X - track.Velocity[t - 1].X), 0, 1.0);
                Assert.InRange(Math.Abs(track.Position[t].Y - track.Position[t - 1].Y - track.Velocity[t - 1].Y), 0, 1.0);
                Assert.InRange(track.Position[t].X, 14, 14 + canvas);
            }
        }
    }

    [Fact]
    public void BadOptionsNameWhatIsWrong()
    {
        var e = Assert.Throws<ArgumentException>(() => new BouncingShapes(new BouncingShapesOptions { Colors = ["mauve"] }));
        Assert.Contains("mauve", e.Message);
        e = Assert.Throws<ArgumentException>(() => new MovingMnist(MnistDigits.Load(), new MovingMnistOptions { Size = 20 }));
        Assert.Contains("20", e.Message);
    }
}
