namespace Workbench.Data;

/// <summary>
/// Exact motion of one object of half-size <c>r</c> in a square box of side <c>size</c>, one frame at a time:
/// between contacts x(τ) = x + vx·τ and y(τ) = y + vy·τ + g·τ²/2 (y down); at a wall the normal velocity
/// component is reversed and scaled by the restitution. Contact times are solved in closed form, so
/// positions follow the equations of motion to rounding error, bounces included.
/// </summary>
public sealed class ShapePhysics(double size, double radius, double gravity, double restitution)
{
    public readonly record struct State(double X, double Y, double Vx, double Vy, bool Resting = false);

    // A ball whose bounce speed falls below this (pixels/frame) comes to rest on the floor.
    private const double RestSpeed = 1e-3;

    private double Min => radius;
    private double Max => size - radius;

    /// <summary>Advances one frame; returns the new state and whether any wall was hit.</summary>
    public (State Next, bool Bounced) Step(State s)
    {
        double remaining = 1;
        bool bounced = false;
        for (int contacts = 0; contacts < 64 && remaining > 0; contacts++)
        {
            double g = s.Resting ? 0 : gravity;
            double tx = HitTimeLinear(s.X, s.Vx);
            double ty = g == 0 ? HitTimeLinear(s.Y, s.Vy) : HitTimeFalling(s.Y, s.Vy, g);
            double hit = Math.Max(0, Math.Min(tx, ty)); // never negative, even a rounding error past a wall
            if (hit > remaining)
            {
                s = Advance(s, remaining, g);
                break;
            }
            s = Advance(s, hit, g);
            remaining -= hit;
            bounced = true;
            if (tx <= ty) s = s with { X = s.Vx > 0 ? Max : Min, Vx = -restitution * s.Vx };
            if (ty <= tx)
            {
                bool floor = s.Vy > 0;
                s = s with { Y = floor ? Max : Min, Vy = -restitution * s.Vy };
                if (floor && g > 0 && Math.Abs(s.Vy) < RestSpeed) s = s with { Vy = 0, Resting = true };
            }
        }
        return (s, bounced);
    }

    private static State Advance(State s, double tau, double g) =>
        s with { X = s.X + s.Vx * tau, Y = s.Y + s.Vy * tau + 0.5 * g * tau * tau, Vy = s.Vy + g * tau };

    // Time until a wall along an axis with constant velocity (∞ if it never gets there).
    private double HitTimeLinear(double p, double v) =>
        v > 0 ? (Max - p) / v : v < 0 ? (Min - p) / v : double.PositiveInfinity;

    // Time until the floor (or the ceiling, when rising fast enough) under gravity g > 0.
    private double HitTimeFalling(double y, double vy, double g)
    {
        if (vy < 0)
        {
            // Rising: the ceiling is reached only if vy² ≥ 2g·(y − Min); take the earlier root.
            double disc = vy * vy - 2 * g * (y - Min);
            if (disc >= 0)
            {
                double up = (-vy - Math.Sqrt(disc)) / g;
                if (up > 0) return up;
            }
        }
        // The floor: the positive root of y + vy·τ + g·τ²/2 = Max (c = y − Max ≤ 0, so one root is ≥ 0).
        double d = vy * vy - 2 * g * (y - Max);
        return (-vy + Math.Sqrt(Math.Max(d, 0))) / g;
    }
}
