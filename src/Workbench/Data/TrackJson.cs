using System.Text.Json;
using System.Text.Json.Serialization;

namespace Workbench.Data;

/// <summary>The JSONL form of one clip's metadata: index, caption, and each object's per-frame ground truth.</summary>
internal sealed record ClipJson(
    [property: JsonPropertyName("index")] long Index,
    [property: JsonPropertyName("caption")] string Caption,
    [property: JsonPropertyName("objects")] TrackJson[] Objects)
{
    public static readonly JsonSerializerOptions Options = new() { WriteIndented = false };

    public static ClipJson From(long index, VideoClip clip) => new(index, clip.Caption, clip.Objects.Select(TrackJson.From).ToArray());
}

internal sealed record TrackJson(
    [property: JsonPropertyName("shape")] string Shape,
    [property: JsonPropertyName("color")] string Color,
    [property: JsonPropertyName("label")] int Label,
    [property: JsonPropertyName("motion")] string Motion,
    [property: JsonPropertyName("radius")] double Radius,
    [property: JsonPropertyName("position")] double[][] Position,
    [property: JsonPropertyName("velocity")] double[][] Velocity,
    [property: JsonPropertyName("visible")] bool[] Visible,
    [property: JsonPropertyName("bounced")] bool[] Bounced,
    [property: JsonPropertyName("source")] int Source = -1)
{
    public static TrackJson From(ObjectTrack t) => new(t.Shape, t.Color, t.Label, t.Motion, t.Radius,
        t.Position.Select(p => new[] { p.X, p.Y }).ToArray(), t.Velocity.Select(v => new[] { v.X, v.Y }).ToArray(), t.Visible, t.Bounced, t.Source);

    public ObjectTrack ToTrack() => new(Shape, Color, Label)
    {
        Position = Position.Select(p => (p[0], p[1])).ToArray(),
        Velocity = Velocity.Select(v => (v[0], v[1])).ToArray(),
        Visible = Visible, Bounced = Bounced, Radius = Radius, Motion = Motion, Source = Source,
    };
}
