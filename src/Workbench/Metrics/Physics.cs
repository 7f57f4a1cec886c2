using Workbench.Data;

namespace Workbench.Metrics;

/// <summary>One coloured object found in every frame of a clip by colour segmentation (NaN centroid where absent).</summary>
/// <param name="Count">Pixels at least half covered by the object's colour, per frame.</param>
/// <param name="Area">The object's coverage-weighted area in pixels per frame (Σ α): its visible size, stable under sub-pixel motion.</param>
/// <param name="Box">Those pixels' bounding box per frame: first and last column and row (inclusive; −1 where absent).</param>
public sealed record TrackedObject(string Color, int[] Count, double[] Area, (double X, double Y)[] Centroid, (int X0, int Y0, int X1, int Y1)[] Box)
{
    /// <summary>Width and height of the bounding box in frame <paramref name="t"/>.</summary>
    public (double Width, double Height) Extent(int t) => Count[t] == 0 ? (0, 0) : (Box[t].X1 - Box[t].X0 + 1, Box[t].Y1 - Box[t].Y0 + 1);
    public int Frames => Count.Length;
    public int MaxCount => Count.Length == 0 ? 0 : Count.Max();
    public double MaxArea => Area.Length == 0 ? 0 : Area.Max();
    /// <summary>Fraction of the bounding box the object fills (ball ≈ π/4, square ≈ 1, triangle ≈ ½): a shape signature.</summary>
    public double Fill(int t) => Count[t] == 0 ? double.NaN : Count[t] / (Extent(t).Width * Extent(t).Height);
}

/// <summary>The fit of one object's track to the motion law of its prompt.</summary>
/// <param name="RmsResidual">Root-mean-square distance (pixels, degrees of freedom removed) between the tracked centroids and the fitted law.</param>
/// <param name="Gravity">The fitted downward acceleration (pixels/frame²) for "falls and bounces", else null.</param>
public sealed record PhysicsFit(string Color, string Motion, int Points, int Segments, double RmsResidual, double? Gravity);

/// <summary>Motion-law residuals over a set of clips.</summary>
/// <param name="Objects">Prompted objects that could be scored (a unique colour, Bouncing Shapes).</param>
/// <param name="Tracked">Objects found in enough frames for a fit; the rest did not appear (or not as the prompt's colour).</param>
public sealed record PhysicsReport(int Clips, int Objects, int Tracked, double MeanResidual, double? MeanGravity, IReadOnlyList<PhysicsFit> Fits)
{
    public double TrackedFraction => Objects == 0 ? double.NaN : (double)Tracked / Objects;
}

/// <summary>One object passing behind the occluder: does it come out again, the same, where it should?</summary>
/// <param name="PathError">Mean distance (pixels) of its positions after the occluder from the line extrapolated from before.</param>
public sealed record PermanenceEvent(string Color, bool Reappeared, bool SameShape, bool OnPath, double PathError, double FillBefore, double FillAfter)
{
    public bool Passed => Reappeared && SameShape && OnPath;
}

/// <summary>Object permanence over a set of clips: the fraction of occlusion events that pass, and each check's rate.</summary>
public sealed record PermanenceReport(int Events, double Score, double ReappearRate, double SameShapeRate, double OnPathRate, double MeanPathError,
    IReadOnlyList<PermanenceEvent> Details);

/// <summary>
/// Physics plausibility and object permanence for Bouncing Shapes clips, exact because the data has ground truth:
/// every prompted object is tracked by colour segmentation (the palette is known), its centroid track is fitted
/// to the motion law of its prompt — constant velocity with elastic wall bounces ("moves left"), or constant
/// downward acceleration with floor bounces ("falls and bounces"), the acceleration fitted — and the residual is
/// reported beside the same statistic on real clips (tracking and rasterisation noise set a floor that real clips
/// measure). Permanence checks objects that pass behind the occluder: they come out with the same colour, the
/// same shape (fill-ratio signature), on the path extrapolated from before the occlusion.
/// </summary>
public static class Physics
{
    /// <summary>Largest RGB distance between a pixel and the palette colour scaled to its coverage, for the pixel to count.</summary>
    public const double ColorTolerance = 40;

    /// <summary>
    /// Finds the pixels of <paramref name="color"/> (a palette name) in every frame of an RGB clip. Objects are drawn on
    /// black with anti-aliased edges, so a pixel p of the object is its colour c scaled by its coverage α = p·c / c·c:
    /// it counts when α ≥ ¼ and |p − α·c| ≤ <paramref name="tolerance"/> (pixels as grey as the occluder excepted).
    /// The centroid is coverage-weighted (sub-pixel accurate); the pixel count and bounding box use pixels with α ≥ ½.
    /// Columns in <paramref name="exclude"/> [left, right) are skipped (the occluder: what shows there is not the object).
    /// </summary>
    public static TrackedObject Track(VideoClip clip, string color, double tolerance = ColorTolerance, (int Left, int Right)? exclude = null)
    {
        if (clip.Channels != 3) throw new ArgumentException($"colour tracking needs RGB clips, this one has {clip.Channels} channel(s)");
        if (!BouncingShapes.Palette.TryGetValue(color, out var c))
            throw new ArgumentException($"unknown colour '{color}' (known: {string.Join(", ", BouncingShapes.Palette.Keys)})");
        var (gr, gg, gb) = BouncingShapes.OccluderColor;
        var count = new int[clip.Frames];
        var area = new double[clip.Frames];
        var centroid = new (double, double)[clip.Frames];
        var box = new (int, int, int, int)[clip.Frames];
        var (skipFrom, skipTo) = exclude ?? (0, 0);
        double tol2 = tolerance * tolerance, cc = (double)c.R * c.R + (double)c.G * c.G + (double)c.B * c.B;
        for (int t = 0; t < clip.Frames; t++)
        {
            var frame = clip.Frame(t);
            double sx = 0, sy = 0, sw = 0;
            int n = 0, x0 = int.MaxValue, x1 = -1, y0 = int.MaxValue, y1 = -1;
            for (int y = 0; y < clip.Height; y++)
                for (int x = 0; x < clip.Width; x++)
                {
                    if (x >= skipFrom && x < skipTo) continue;
                    int at = (y * clip.Width + x) * 3;
                    int r = frame[at], g = frame[at + 1], b = frame[at + 2];
                    double alpha = Math.Min(1, (r * c.R + g * c.G + b * c.B) / cc);
                    if (alpha < 0.25) continue;
                    double dr = r - alpha * c.R, dg = g - alpha * c.G, db = b - alpha * c.B;
                    if (dr * dr + dg * dg + db * db > tol2) continue;
                    if (Math.Abs(r - gr) <= 20 && Math.Abs(g - gg) <= 20 && Math.Abs(b - gb) <= 20) continue;   // the occluder's grey
                    sx += alpha * (x + 0.5); sy += alpha * (y + 0.5); sw += alpha;
                    if (alpha < 0.5) continue;
                    n++;
                    x0 = Math.Min(x0, x); x1 = Math.Max(x1, x); y0 = Math.Min(y0, y); y1 = Math.Max(y1, y);
                }
            count[t] = n;
            area[t] = sw;
            centroid[t] = n > 0 ? (sx / sw, sy / sw) : (double.NaN, double.NaN);
            box[t] = n > 0 ? (x0, y0, x1, y1) : (-1, -1, -1, -1);
        }
        return new TrackedObject(color, count, area, centroid, box);
    }

    // The prompted objects whose colour is unique in the prompt (two objects of one colour cannot be told apart).
    private static IEnumerable<PromptObject> TrackableObjects(ParsedPrompt prompt) =>
        prompt.Objects.GroupBy(o => o.Color).Where(g => g.Count() == 1).Select(g => g.First());

    /// <summary>
    /// Fits the motion law of <paramref name="obj"/>'s prompt to its track in <paramref name="clip"/>, or null when the
    /// object is found in fewer than 3 frames of a segment. Frames where it is partly hidden (fewer than 70 % of its
    /// largest pixel count) are left out; the track is split at bounces, accepted only where the object touches a wall
    /// (or the floor, under gravity), the turning frame itself left out.
    /// </summary>
    public static PhysicsFit? FitMotionLaw(VideoClip clip, PromptObject obj)
    {
        var track = Track(clip, obj.Color, exclude: FindOccluder(clip));
        if (track.MaxCount < 3) return null;
        double full = track.MaxArea;
        var frames = Enumerable.Range(0, clip.Frames).Where(t => track.Count[t] > 0 && track.Area[t] >= 0.8 * full).ToArray();
        if (frames.Length < 3) return null;
        bool gravity = obj.Motion == "gravity";

        // Split at plausible bounces: a reversal of a velocity component (ignoring near-zero steps between) whose
        // turning frames have the object at a wall; the turning frames themselves are left out.
        var dropped = new HashSet<int>();
        var splits = new SortedSet<int>();                                   // index into frames where a new segment starts
        for (int axis = 0; axis < 2; axis++)
        {
            int lastMoving = -1, lastSign = 0;                               // step j: frames[j] → frames[j + 1]
            for (int j = 0; j + 1 < frames.Length; j++)
            {
                int a = frames[j], b = frames[j + 1];
                double v = (axis == 0 ? track.Centroid[b].X - track.Centroid[a].X : track.Centroid[b].Y - track.Centroid[a].Y) / (b - a);
                int sign = v > 0.15 ? 1 : v < -0.15 ? -1 : 0;
                if (sign == 0) continue;
                if (lastSign != 0 && sign != lastSign)
                {
                    // Turning frames: frames[lastMoving + 1 .. j]; is the object at a wall there?
                    var turning = Enumerable.Range(lastMoving + 1, j - lastMoving).Select(k => frames[k]).ToArray();
                    bool atWall = turning.Any(t => AtWall(track, t, clip, axis, lastSign, gravity));
                    bool allowed = axis == 0 || !gravity || lastSign > 0;      // under gravity only floor bounces (down → up)
                    if (atWall && allowed)
                    {
                        foreach (var t in turning) dropped.Add(t);
                        splits.Add(j + 1);
                    }
                }
                lastSign = sign;
                lastMoving = j;
            }
        }
        var segments = new List<List<int>> { new() };
        for (int k = 0; k < frames.Length; k++)
        {
            if (splits.Contains(k) && segments[^1].Count > 0) segments.Add([]);
            if (!dropped.Contains(frames[k])) segments[^1].Add(frames[k]);
        }
        var used = segments.Where(s => s.Count >= 3).ToList();
        if (used.Count == 0) return null;

        // x: a line per segment. y: a line per segment, plus ½·g·t² with one g shared by all segments under gravity.
        double ssr = 0, gNumerator = 0, gDenominator = 0;
        int points = 0;
        var yResiduals = new List<(double Y, double Q)>();
        foreach (var s in used)
        {
            var ts = s.Select(t => (double)t).ToArray();
            var xs = s.Select(t => track.Centroid[t].X).ToArray();
            var ys = s.Select(t => track.Centroid[t].Y).ToArray();
            var rx = ResidualAfterLine(ts, xs);
            ssr += rx.Sum(r => r * r);
            var ry = ResidualAfterLine(ts, ys);
            var rq = ResidualAfterLine(ts, ts.Select(t => 0.5 * t * t).ToArray());
            for (int i = 0; i < s.Count; i++)
            {
                yResiduals.Add((ry[i], rq[i]));
                gNumerator += ry[i] * rq[i];
                gDenominator += rq[i] * rq[i];
            }
            points += s.Count;
        }
        double? g = gravity && gDenominator > 0 ? gNumerator / gDenominator : null;
        foreach (var (ry, rq) in yResiduals)
        {
            double r = ry - (g ?? 0) * rq;
            ssr += r * r;
        }
        int parameters = 4 * used.Count + (gravity ? 1 : 0);
        double rms = Math.Sqrt(ssr / Math.Max(1, 2 * points - parameters));
        return new PhysicsFit(obj.Color, obj.Motion, points, used.Count, rms, g);
    }

    // Is the object touching the wall it was moving towards (sign of its velocity along the axis) in frame t?
    private static bool AtWall(TrackedObject track, int t, VideoClip clip, int axis, int towards, bool gravity)
    {
        var box = track.Box[t];
        if (track.Count[t] == 0) return false;
        const int slack = 2;                                                 // pixels: the frame may fall just before or after the contact
        return axis == 0
            ? (towards > 0 ? box.X1 >= clip.Width - 1 - slack : box.X0 <= slack)
            : (towards > 0 ? box.Y1 >= clip.Height - 1 - slack : box.Y0 <= slack);
    }

    // v minus its least-squares line in t.
    private static double[] ResidualAfterLine(double[] t, double[] v)
    {
        double tm = t.Average(), vm = v.Average(), stt = 0, stv = 0;
        for (int i = 0; i < t.Length; i++) { stt += (t[i] - tm) * (t[i] - tm); stv += (t[i] - tm) * (v[i] - vm); }
        double slope = stt > 0 ? stv / stt : 0;
        return t.Select((ti, i) => v[i] - vm - slope * (ti - tm)).ToArray();
    }

    /// <summary>Motion-law residuals of every trackable prompted object of every clip (captions parsed as prompts).</summary>
    public static PhysicsReport Evaluate(IEnumerable<VideoClip> clips)
    {
        int clipCount = 0, objects = 0;
        var fits = new List<PhysicsFit>();
        foreach (var clip in clips)
        {
            clipCount++;
            if (clip.Channels != 3) continue;
            foreach (var obj in TrackableObjects(PromptParser.Parse(clip.Caption)))
            {
                objects++;
                if (FitMotionLaw(clip, obj) is { } fit) fits.Add(fit);
            }
        }
        var gravities = fits.Where(f => f.Gravity is not null).Select(f => f.Gravity!.Value).ToList();
        return new PhysicsReport(clipCount, objects, fits.Count, fits.Count > 0 ? fits.Average(f => f.RmsResidual) : double.NaN,
            gravities.Count > 0 ? gravities.Average() : null, fits);
    }

    /// <summary>The occluder's columns [left, right) found as mostly-grey columns, or null.</summary>
    public static (int Left, int Right)? FindOccluder(VideoClip clip)
    {
        if (clip.Channels != 3) return null;
        var (gr, gg, gb) = BouncingShapes.OccluderColor;
        var grey = new bool[clip.Width];
        for (int x = 0; x < clip.Width; x++)
        {
            int hits = 0, total = 0;
            for (int t = 0; t < clip.Frames; t++)
            {
                var frame = clip.Frame(t);
                for (int y = 0; y < clip.Height; y++, total++)
                {
                    int at = (y * clip.Width + x) * 3;
                    if (Math.Abs(frame[at] - gr) <= 30 && Math.Abs(frame[at + 1] - gg) <= 30 && Math.Abs(frame[at + 2] - gb) <= 30) hits++;
                }
            }
            grey[x] = hits >= 0.8 * total;
        }
        // The widest run of grey columns.
        int bestLeft = -1, bestLength = 0;
        for (int x = 0; x < clip.Width;)
        {
            if (!grey[x]) { x++; continue; }
            int start = x;
            while (x < clip.Width && grey[x]) x++;
            if (x - start > bestLength) (bestLeft, bestLength) = (start, x - start);
        }
        return bestLength >= 2 ? (bestLeft, bestLeft + bestLength) : null;
    }

    /// <summary>
    /// The occlusion events of one clip: each trackable prompted object that is seen clear of the occluder, then hidden
    /// behind it, in a clip long enough for it to be clear of it on the far side again (by the constant-velocity line
    /// fitted to its clear frames before, with a frame to spare). "Clear" frames show at least 85 % of the object's
    /// largest area in the clip, with a bounding box not touching the occluder; the frames after are taken until the
    /// object touches the frame's edge or turns back (a bounce, off the line).
    /// </summary>
    public static IReadOnlyList<PermanenceEvent> PermanenceEvents(VideoClip clip)
    {
        var events = new List<PermanenceEvent>();
        if (clip.Channels != 3) return events;
        var occluder = FindOccluder(clip);
        if (occluder is null) return events;
        var (left, right) = occluder.Value;
        double tolerance = Math.Max(1.0, 0.04 * Math.Min(clip.Width, clip.Height));
        foreach (var obj in TrackableObjects(PromptParser.Parse(clip.Caption)))
        {
            var track = Track(clip, obj.Color, exclude: occluder);
            int firstHidden = Array.FindIndex(track.Count, n => n < 2);
            if (firstHidden <= 0) continue;
            // Clear: the whole object in view (85 % of its largest area in the clip), not cut by the occluder.
            double full = track.MaxArea;
            bool Clear(int t) => track.Count[t] > 0 && track.Area[t] >= 0.85 * full && (track.Box[t].X1 < left - 1 || track.Box[t].X0 > right);
            var before = Enumerable.Range(0, firstHidden).Where(Clear).ToArray();
            if (before.Length < 2) continue;
            var (ax, bx) = Line(before.Select(t => (double)t).ToArray(), before.Select(t => track.Centroid[t].X).ToArray());
            if (Math.Abs(bx) < 1e-3) continue;
            double half = before.Average(t => track.Extent(t).Width) / 2 + 0.5;
            bool towardsRight = bx > 0;
            // Judged only if the line puts it clear of the wall on the far side at least two frames before the clip ends.
            bool FarClear(double x) => towardsRight ? x - half >= right + 1 : x + half <= left - 1;
            if (!Enumerable.Range(firstHidden, Math.Max(0, clip.Frames - 1 - firstHidden)).Any(t => FarClear(ax + bx * t))) continue;
            // After: clear frames on the far side, until the object touches the frame's edge or turns back (a bounce).
            var afterFrames = new List<int>();
            double? lastX = null;
            for (int t = firstHidden; t < clip.Frames; t++)
            {
                if (track.Count[t] > 0 && (track.Box[t].X0 <= 0 || track.Box[t].X1 >= clip.Width - 1)) break;
                if (!Clear(t) || (towardsRight ? track.Box[t].X0 <= right : track.Box[t].X1 >= left - 1)) continue;
                double x = track.Centroid[t].X;
                if (lastX is { } lx && (towardsRight ? x < lx - 0.25 : x > lx + 0.25)) break;
                lastX = x;
                afterFrames.Add(t);
            }
            var after = afterFrames.ToArray();
            bool reappeared = after.Length > 0;
            double fillBefore = before.Average(track.Fill);
            double fillAfter = reappeared ? after.Average(track.Fill) : double.NaN;
            // On the path: (1) the positions after lie on the line extrapolated from before, within the tolerance plus
            // 0.2 px per frame of extrapolation (a velocity measured over a few frames is uncertain), and (2) one
            // constant-velocity line through the clear positions before and after fits them all within the tolerance.
            double pathError = double.NaN;
            bool onPath = false;
            if (reappeared)
            {
                var (ay, by) = Line(before.Select(t => (double)t).ToArray(), before.Select(t => track.Centroid[t].Y).ToArray());
                int last = before[^1];
                var distances = after.Select(t => Math.Sqrt(Math.Pow(track.Centroid[t].X - (ax + bx * t), 2) + Math.Pow(track.Centroid[t].Y - (ay + by * t), 2))).ToArray();
                pathError = distances.Average();
                double excess = after.Select((t, i) => distances[i] - 0.2 * (t - last)).Average();
                var all = before.Concat(after).ToArray();
                var ts = all.Select(t => (double)t).ToArray();
                var rx = ResidualAfterLine(ts, all.Select(t => track.Centroid[t].X).ToArray());
                var ry = ResidualAfterLine(ts, all.Select(t => track.Centroid[t].Y).ToArray());
                double joint = Math.Sqrt(rx.Zip(ry, (a, b) => a * a + b * b).Average());
                onPath = excess <= tolerance && joint <= tolerance;
            }
            events.Add(new PermanenceEvent(obj.Color, reappeared, reappeared && Math.Abs(fillAfter - fillBefore) <= 0.15,
                onPath, pathError, fillBefore, fillAfter));
        }
        return events;
    }

    private static (double Intercept, double Slope) Line(double[] t, double[] v)
    {
        double tm = t.Average(), vm = v.Average(), stt = 0, stv = 0;
        for (int i = 0; i < t.Length; i++) { stt += (t[i] - tm) * (t[i] - tm); stv += (t[i] - tm) * (v[i] - vm); }
        double slope = stt > 0 ? stv / stt : 0;
        return (vm - slope * tm, slope);
    }

    /// <summary>Object permanence over clips: the fraction of occlusion events passing all checks, and each check's rate.</summary>
    public static PermanenceReport Permanence(IEnumerable<VideoClip> clips)
    {
        var events = clips.SelectMany(PermanenceEvents).ToList();
        double Rate(Func<PermanenceEvent, bool> ok) => events.Count == 0 ? double.NaN : events.Count(ok) / (double)events.Count;
        var errors = events.Where(e => e.Reappeared).Select(e => e.PathError).ToList();
        return new PermanenceReport(events.Count, Rate(e => e.Passed), Rate(e => e.Reappeared), Rate(e => e.SameShape), Rate(e => e.OnPath),
            errors.Count > 0 ? errors.Average() : double.NaN, events);
    }
}
