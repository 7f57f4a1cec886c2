namespace Workbench.Data;

public enum ShapeKind { Ball, Square, Triangle }

/// <summary>How the objects of a clip move.</summary>
public enum MotionKind
{
    /// <summary>Constant velocity, elastic bounces off the four walls.</summary>
    Linear,
    /// <summary>Constant downward acceleration; bounces lose energy (restitution &lt; 1).</summary>
    Gravity,
    /// <summary>Horizontal motion behind a grey wall in the middle of the frame (object permanence).</summary>
    Occluded,
}

/// <summary>Options of <see cref="BouncingShapes"/>. Lengths are fractions of the frame size, so presets scale.</summary>
public sealed record BouncingShapesOptions
{
    public int Size { get; init; } = 32;
    public int Frames { get; init; } = 17;
    public int MinObjects { get; init; } = 1;
    public int MaxObjects { get; init; } = 2;
    public MotionKind[] Motions { get; init; } = [MotionKind.Linear, MotionKind.Gravity, MotionKind.Occluded];
    public ShapeKind[] Shapes { get; init; } = [ShapeKind.Ball, ShapeKind.Square, ShapeKind.Triangle];
    public string[] Colors { get; init; } = [.. BouncingShapes.Palette.Keys];
    public double MinRadius { get; init; } = 0.09;
    public double MaxRadius { get; init; } = 0.14;
    /// <summary>Speed range in frame sizes per frame.</summary>
    public double MinSpeed { get; init; } = 0.03;
    public double MaxSpeed { get; init; } = 0.07;
    /// <summary>Downward acceleration in frame sizes per frame².</summary>
    public double Gravity { get; init; } = 0.012;
    /// <summary>Fraction of the speed kept by a bounce under gravity (1 = elastic).</summary>
    public double Restitution { get; init; } = 0.8;
    public double OccluderWidth { get; init; } = 0.3;

    public void Validate()
    {
        if (Size < 8) throw new ArgumentException($"size must be at least 8, got {Size}");
        if (Frames <= 0) throw new ArgumentException($"frames must be positive, got {Frames}");
        if (MinObjects < 1 || MaxObjects < MinObjects) throw new ArgumentException($"object counts need 1 <= min <= max, got {MinObjects}..{MaxObjects}");
        if (Motions.Length == 0 || Shapes.Length == 0 || Colors.Length == 0) throw new ArgumentException("motions, shapes and colours must not be empty");
        foreach (var c in Colors)
            if (!BouncingShapes.Palette.ContainsKey(c)) throw new ArgumentException($"unknown colour '{c}' (known: {string.Join(", ", BouncingShapes.Palette.Keys)})");
        if (MinRadius <= 0 || MaxRadius < MinRadius || MaxRadius >= 0.25) throw new ArgumentException($"radius range must satisfy 0 < min <= max < 0.25, got {MinRadius}..{MaxRadius}");
        if (MinSpeed < 0 || MaxSpeed < MinSpeed) throw new ArgumentException($"speed range must satisfy 0 <= min <= max, got {MinSpeed}..{MaxSpeed}");
        if (Restitution is <= 0 or > 1) throw new ArgumentException($"restitution must be in (0, 1], got {Restitution}");
        if (Gravity < 0) throw new ArgumentException($"gravity must be >= 0, got {Gravity}");
        if (OccluderWidth <= 2 * MaxRadius || OccluderWidth >= 0.6)
            throw new ArgumentException($"the occluder width ({OccluderWidth}) must exceed the largest object ({2 * MaxRadius}) so it can hide one, and stay below 0.6");
    }
}

/// <summary>
/// Bouncing Shapes: coloured balls, squares and triangles moving with constant velocity, under gravity,
/// or behind an occluder, each clip with a caption ("a red ball falls and bounces") and every object's
/// exact per-frame position, velocity and visibility (the physics and permanence metrics' ground truth).
/// Motion is integrated exactly between frames, bounces included (see <see cref="ShapePhysics"/>).
/// </summary>
public sealed class BouncingShapes(BouncingShapesOptions? options = null)
{
    public static readonly IReadOnlyDictionary<string, (byte R, byte G, byte B)> Palette = new Dictionary<string, (byte, byte, byte)>
    {
        ["red"] = (220, 40, 40), ["green"] = (40, 200, 60), ["blue"] = (50, 90, 235), ["yellow"] = (230, 210, 40),
        ["magenta"] = (210, 60, 200), ["cyan"] = (40, 200, 210), ["orange"] = (240, 140, 30), ["white"] = (235, 235, 235),
    };

    public static readonly (byte R, byte G, byte B) OccluderColor = (128, 128, 128);

    public BouncingShapesOptions Options { get; } = Validated(options ?? new());

    private static BouncingShapesOptions Validated(BouncingShapesOptions o) { o.Validate(); return o; }

    /// <summary>The occluder's horizontal extent [left, right) in pixels (a full-height bar in the middle).</summary>
    public (double Left, double Right) Occluder => (Options.Size * (0.5 - Options.OccluderWidth / 2), Options.Size * (0.5 + Options.OccluderWidth / 2));

    public VideoClip Generate(ulong seed, long index)
    {
        var rng = Rng.ForItem(seed, index);
        var o = Options;
        var motion = rng.Pick(o.Motions);
        int count = o.MinObjects + rng.NextInt(o.MaxObjects - o.MinObjects + 1);
        var tracks = new List<ObjectTrack>();
        for (int i = 0; i < count; i++) tracks.Add(Simulate(rng, motion));

        var clip = VideoClip.Blank(o.Frames, o.Size, o.Size, 3) with { Fps = 8 };
        for (int t = 0; t < o.Frames; t++)
        {
            var frame = clip.Frame(t);
            foreach (var track in tracks) ShapeRenderer.Draw(frame, o.Size, track, t);
            if (motion == MotionKind.Occluded) ShapeRenderer.FillColumns(frame, o.Size, Occluder.Left, Occluder.Right, OccluderColor);
        }
        return clip with { Objects = tracks, Caption = string.Join(" and ", tracks.Select(Describe)) };
    }

    /// <summary>"a red ball falls and bounces", "an orange square moves left", "a green triangle moves right behind a wall".</summary>
    public static string Describe(ObjectTrack track)
    {
        var (vx, vy) = track.Velocity[0];
        string direction = Math.Abs(vx) >= Math.Abs(vy) ? (vx >= 0 ? "right" : "left") : (vy >= 0 ? "down" : "up");
        string article = "aeiou".Contains(track.Color[0]) ? "an" : "a";
        string subject = $"{article} {track.Color} {track.Shape}";
        return track.Motion switch
        {
            "gravity" => $"{subject} falls and bounces",
            "occluded" => $"{subject} moves {direction} behind a wall",
            _ => $"{subject} moves {direction}",
        };
    }

    private ObjectTrack Simulate(Rng rng, MotionKind motion)
    {
        var o = Options;
        double size = o.Size;
        var shape = rng.Pick(o.Shapes);
        var color = rng.Pick(o.Colors);
        double r = size * rng.Uniform(o.MinRadius, o.MaxRadius);
        double speed = size * rng.Uniform(o.MinSpeed, o.MaxSpeed);
        var physics = new ShapePhysics(size, r, motion == MotionKind.Gravity ? size * o.Gravity : 0,
                                       motion == MotionKind.Gravity ? o.Restitution : 1);
        double x, y, vx, vy;
        switch (motion)
        {
            case MotionKind.Gravity:
                x = rng.Uniform(r, size - r); y = rng.Uniform(r, size / 2);
                vx = rng.Uniform(-speed, speed); vy = rng.Uniform(-speed / 2, speed / 2);
                break;
            case MotionKind.Occluded:
                // Start on one side of the wall, moving towards it.
                bool fromLeft = rng.NextInt(2) == 0;
                x = fromLeft ? rng.Uniform(r, Occluder.Left - r) : rng.Uniform(Occluder.Right + r, size - r);
                y = rng.Uniform(r, size - r);
                vx = fromLeft ? speed : -speed; vy = 0;
                break;
            default:
                double theta = rng.NextDouble() * 2 * Math.PI;
                x = rng.Uniform(r, size - r); y = rng.Uniform(r, size - r);
                vx = speed * Math.Cos(theta); vy = speed * Math.Sin(theta);
                break;
        }
        var state = new ShapePhysics.State(x, y, vx, vy);
        var position = new (double, double)[o.Frames];
        var velocity = new (double, double)[o.Frames];
        var visible = new bool[o.Frames];
        var bounced = new bool[o.Frames];
        for (int t = 0; t < o.Frames; t++)
        {
            if (t > 0) (state, bounced[t]) = physics.Step(state);
            position[t] = (state.X, state.Y);
            velocity[t] = (state.Vx, state.Vy);
            visible[t] = motion != MotionKind.Occluded || !(state.X - r >= Occluder.Left && state.X + r <= Occluder.Right);
        }
        return new ObjectTrack(shape.ToString().ToLowerInvariant(), color, (int)shape)
        {
            Position = position, Velocity = velocity, Visible = visible, Bounced = bounced, Radius = r,
            Motion = motion.ToString().ToLowerInvariant(),
        };
    }
}
