namespace Workbench.Data;

/// <summary>Options of <see cref="MovingMnist"/>; the defaults are the standard dataset's.</summary>
public sealed record MovingMnistOptions
{
    public int Frames { get; init; } = 20;
    public int Size { get; init; } = 64;
    public int Digits { get; init; } = 2;
    /// <summary>Distance moved per frame as a fraction of the free canvas (size − 28), as in the original code.</summary>
    public double StepLength { get; init; } = 0.1;

    public void Validate()
    {
        if (Frames <= 0) throw new ArgumentException($"frames must be positive, got {Frames}");
        if (Size < MnistDigits.Side) throw new ArgumentException($"size must be at least {MnistDigits.Side} (a digit), got {Size}");
        if (Digits <= 0) throw new ArgumentException($"digit count must be positive, got {Digits}");
        if (StepLength <= 0 || StepLength > 1) throw new ArgumentException($"step length must be in (0, 1], got {StepLength}");
    }
}

/// <summary>
/// Moving MNIST generated the standard way (Srivastava et al. 2015, "Unsupervised Learning of Video
/// Representations using LSTMs"): digits start at a uniform position with a uniform random direction,
/// move a fixed step per frame, bounce off the borders (the position is clamped and that velocity
/// component reversed), and are combined with a pixel-wise maximum. Clip <c>i</c> of a seed is always the same.
/// </summary>
public sealed class MovingMnist(MnistDigits digits, MovingMnistOptions? options = null)
{
    public MovingMnistOptions Options { get; } = Validated(options ?? new());

    private static MovingMnistOptions Validated(MovingMnistOptions o) { o.Validate(); return o; }

    public VideoClip Generate(ulong seed, long index)
    {
        var rng = Rng.ForItem(seed, index);
        var o = Options;
        int side = MnistDigits.Side, canvas = o.Size - side;
        var clip = VideoClip.Blank(o.Frames, o.Size, o.Size, 1) with { Fps = 10 };
        var tracks = new List<ObjectTrack>();
        for (int d = 0; d < o.Digits; d++)
        {
            int which = rng.NextInt(digits.Count);
            var image = digits.Images[which];
            // Trajectory in [0, 1]² of the free canvas, updated before each frame is drawn (as in the original).
            double y = rng.NextDouble(), x = rng.NextDouble(), theta = rng.NextDouble() * 2 * Math.PI;
            double vy = Math.Sin(theta), vx = Math.Cos(theta);
            var position = new (double, double)[o.Frames];
            var velocity = new (double, double)[o.Frames];
            var bounced = new bool[o.Frames];
            for (int t = 0; t < o.Frames; t++)
            {
                y += vy * o.StepLength;
                x += vx * o.StepLength;
                if (x <= 0) { x = 0; vx = -vx; bounced[t] = true; }
                if (x >= 1) { x = 1; vx = -vx; bounced[t] = true; }
                if (y <= 0) { y = 0; vy = -vy; bounced[t] = true; }
                if (y >= 1) { y = 1; vy = -vy; bounced[t] = true; }
                int top = (int)(canvas * y), left = (int)(canvas * x);
                DrawMax(clip.Frame(t), o.Size, image, top, left);
                position[t] = (left + side / 2.0, top + side / 2.0);
                velocity[t] = (vx * o.StepLength * canvas, vy * o.StepLength * canvas);
            }
            tracks.Add(new ObjectTrack("digit", "white", digits.Labels[which])
            {
                Position = position, Velocity = velocity, Bounced = bounced,
                Visible = Enumerable.Repeat(true, o.Frames).ToArray(), Radius = side / 2.0, Motion = "bounce", Source = which,
            });
        }
        var names = string.Join(" and ", tracks.Select(t => t.Label.ToString()));
        return clip with { Objects = tracks, Caption = tracks.Count == 1 ? $"the digit {names} moves and bounces" : $"the digits {names} move and bounce" };
    }

    private static void DrawMax(Span<byte> frame, int size, byte[] digit, int top, int left)
    {
        int side = MnistDigits.Side;
        for (int r = 0; r < side; r++)
        {
            var row = frame.Slice((top + r) * size + left, side);
            var src = digit.AsSpan(r * side, side);
            for (int c = 0; c < side; c++)
                if (src[c] > row[c]) row[c] = src[c];
        }
    }
}
