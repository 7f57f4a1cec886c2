namespace Workbench.Data.Tests;

public class PhysicsTests
{
    // Hand-computed single steps of the exact integrator (box side 10, half-size 1: walls at 1 and 9).

    [Fact]
    public void ElasticWallBounceReflectsPositionAndVelocity()
    {
        var physics = new ShapePhysics(size: 10, radius: 1, gravity: 0, restitution: 1);
        // x = 8.5 moving +1/frame hits x = 9 at τ = 0.5, then travels back 0.5.
        var (next, bounced) = physics.Step(new ShapePhysics.State(8.5, 5, 1, 0));
        Assert.True(bounced);
        Assert.Equal(8.5, next.X, 12);
        Assert.Equal(-1, next.Vx, 12);
        Assert.Equal(5, next.Y, 12);
    }

    [Fact]
    public void FallingBallHitsTheFloorAtTheClosedFormTimeAndLosesSpeed()
    {
        var physics = new ShapePhysics(size: 10, radius: 1, gravity: 2, restitution: 0.8);
        // From rest at y = 8.75: 8.75 + τ² = 9 gives τ = 0.5 and impact speed g·τ = 1, reflected to -0.8.
        // The remaining 0.5 frame: y = 9 - 0.8·0.5 + 0.5·2·0.25 = 8.85, vy = -0.8 + 2·0.5 = 0.2.
        var (next, bounced) = physics.Step(new ShapePhysics.State(3, 8.75, 0, 0));
        Assert.True(bounced);
        Assert.Equal(8.85, next.Y, 12);
        Assert.Equal(0.2, next.Vy, 12);
    }

    [Fact]
    public void FreeFlightFollowsTheEquationsOfMotion()
    {
        var physics = new ShapePhysics(size: 100, radius: 2, gravity: 0.5, restitution: 0.8);
        var (next, bounced) = physics.Step(new ShapePhysics.State(10, 20, 1.5, -2));
        Assert.False(bounced);
        Assert.Equal(11.5, next.X, 12);
        Assert.Equal(20 - 2 + 0.25, next.Y, 12);
        Assert.Equal(-1.5, next.Vy, 12);
    }

    private static IEnumerable<VideoClip> Clips(MotionKind motion, int count = 40)
    {
        var generator = new BouncingShapes(new BouncingShapesOptions { Motions = [motion], Frames = 24 });
        return Enumerable.Range(0, count).Select(i => generator.Generate(seed: 7, i));
    }

    [Fact]
    public void LinearMotionIsConstantVelocityBetweenBouncesAndConservesSpeed()
    {
        int bounces = 0;
        foreach (var track in Clips(MotionKind.Linear).SelectMany(c => c.Objects))
        {
            double speed = Math.Sqrt(track.Velocity[0].X * track.Velocity[0].X + track.Velocity[0].Y * track.Velocity[0].Y);
            for (int t = 1; t < track.Position.Length; t++)
            {
                var (vx, vy) = track.Velocity[t];
                Assert.Equal(speed, Math.Sqrt(vx * vx + vy * vy), 9);
                if (track.Bounced[t]) { bounces++; continue; }
                Assert.Equal(track.Position[t - 1].X + track.Velocity[t - 1].X, track.Position[t].X, 9);
                Assert.Equal(track.Position[t - 1].Y + track.Velocity[t - 1].Y, track.Position[t].Y, 9);
            }
        }
        Assert.True(bounces > 0, "the sample should contain bounces");
    }

    [Fact]
    public void GravityFollowsTheBallisticEquationsAndBouncesLoseEnergy()
    {
        var options = new BouncingShapesOptions();
        double g = options.Size * options.Gravity;
        int bounces = 0;
        foreach (var clip in Clips(MotionKind.Gravity))
            foreach (var track in clip.Objects)
            {
                double floor = options.Size - track.Radius;
                double Energy(int t) => 0.5 * (track.Velocity[t].X * track.Velocity[t].X + track.Velocity[t].Y * track.Velocity[t].Y) + g * (floor - track.Position[t].Y);
                for (int t = 1; t < track.Position.Length; t++)
                {
                    if (track.Bounced[t])
                    {
                        bounces++;
                        Assert.True(Energy(t) <= Energy(t - 1) + 1e-9, $"a bounce must not add energy (frame {t})");
                        continue;
                    }
                    var (x, y) = track.Position[t - 1];
                    var (vx, vy) = track.Velocity[t - 1];
                    bool resting = vy == 0 && y == floor;
                    if (resting) continue;
                    Assert.Equal(x + vx, track.Position[t].X, 9);
                    Assert.Equal(y + vy + g / 2, track.Position[t].Y, 9);
                    Assert.Equal(vy + g, track.Velocity[t].Y, 9);
                    Assert.Equal(Energy(t - 1), Energy(t), 9);
                }
            }
        Assert.True(bounces > 0, "the sample should contain bounces");
    }

    [Fact]
    public void FloorBouncesScaleTheVerticalSpeedByTheRestitution()
    {
        // A ball dropped from rest, the frame of its first impact computed in closed form.
        var physics = new ShapePhysics(size: 32, radius: 2, gravity: 0.5, restitution: 0.8);
        var s = new ShapePhysics.State(16, 10, 0, 0);
        // Impact when 10 + 0.25 τ² = 30: τ = √80 ≈ 8.944, during frame 9, at speed 0.5 τ.
        double tau = Math.Sqrt(80), impact = 0.5 * tau;
        for (int frame = 1; frame <= 9; frame++) s = physics.Step(s).Next;
        double expectedVy = -0.8 * impact + 0.5 * (9 - tau);
        Assert.Equal(expectedVy, s.Vy, 9);
    }

    [Fact]
    public void ObjectsBehindTheOccluderAreInvisibleAndHidden()
    {
        var generator = new BouncingShapes(new BouncingShapesOptions { Motions = [MotionKind.Occluded], Frames = 24, MaxObjects = 1 });
        var (left, right) = generator.Occluder;
        int hidden = 0;
        for (int i = 0; i < 40; i++)
        {
            var clip = generator.Generate(3, i);
            var track = clip.Objects[0];
            for (int t = 0; t < clip.Frames; t++)
            {
                var (x, y) = track.Position[t];
                bool behind = x - track.Radius >= left && x + track.Radius <= right;
                Assert.Equal(!behind, track.Visible[t]);
                Assert.Equal(0, track.Velocity[t].Y);
                if (track.Visible[t]) continue;
                hidden++;
                // Where the object is, only the occluder's grey can be seen.
                var frame = clip.Frame(t);
                int at = ((int)y * clip.Width + (int)x) * 3;
                Assert.Equal(BouncingShapes.OccluderColor, (frame[at], frame[at + 1], frame[at + 2]));
            }
        }
        Assert.True(hidden > 0, "some objects should pass behind the occluder");
    }
}
