namespace Workbench.Data;

/// <summary>Draws Bouncing Shapes objects with 4×4 supersampled coverage, so sub-pixel motion stays smooth.</summary>
internal static class ShapeRenderer
{
    private const int Samples = 4;

    public static void Draw(Span<byte> frame, int size, ObjectTrack track, int t)
    {
        var (cx, cy) = track.Position[t];
        double r = track.Radius;
        var color = BouncingShapes.Palette[track.Color];
        int x0 = Math.Max(0, (int)Math.Floor(cx - r)), x1 = Math.Min(size - 1, (int)Math.Ceiling(cx + r));
        int y0 = Math.Max(0, (int)Math.Floor(cy - r)), y1 = Math.Min(size - 1, (int)Math.Ceiling(cy + r));
        for (int py = y0; py <= y1; py++)
            for (int px = x0; px <= x1; px++)
            {
                int inside = 0;
                for (int sy = 0; sy < Samples; sy++)
                    for (int sx = 0; sx < Samples; sx++)
                        if (Contains(track.Shape, (px + (sx + 0.5) / Samples - cx) / r, (py + (sy + 0.5) / Samples - cy) / r)) inside++;
                if (inside > 0) Blend(frame, (py * size + px) * 3, color, inside / (double)(Samples * Samples));
            }
    }

    // Is the point (u, v), in units of the radius around the centre, inside the shape?
    private static bool Contains(string shape, double u, double v) => shape switch
    {
        "ball" => u * u + v * v <= 1,
        "square" => Math.Abs(u) <= 0.85 && Math.Abs(v) <= 0.85,
        // An upward triangle: apex at the top, base at the bottom of the box.
        "triangle" => v <= 1 && v >= -1 && Math.Abs(u) <= (v + 1) / 2,
        _ => throw new ArgumentException($"unknown shape '{shape}'"),
    };

    private static void Blend(Span<byte> frame, int at, (byte R, byte G, byte B) c, double alpha)
    {
        frame[at] = (byte)Math.Round(frame[at] * (1 - alpha) + c.R * alpha);
        frame[at + 1] = (byte)Math.Round(frame[at + 1] * (1 - alpha) + c.G * alpha);
        frame[at + 2] = (byte)Math.Round(frame[at + 2] * (1 - alpha) + c.B * alpha);
    }

    /// <summary>Fills the columns covering [left, right) with a solid colour (partial edge columns blended).</summary>
    public static void FillColumns(Span<byte> frame, int size, double left, double right, (byte R, byte G, byte B) color)
    {
        for (int px = Math.Max(0, (int)Math.Floor(left)); px < Math.Min(size, (int)Math.Ceiling(right)); px++)
        {
            double cover = Math.Min(px + 1, right) - Math.Max(px, left);
            for (int py = 0; py < size; py++) Blend(frame, (py * size + px) * 3, color, cover);
        }
    }
}
