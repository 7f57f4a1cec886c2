using System.Text.Json.Serialization;

namespace Workbench.Extensions.Plotly;

/// <summary>A 3D scene (<c>layout.scene</c>, <c>layout.scene2</c>): its three axes, its place and its aspect.</summary>
public sealed record Scene
{
    [JsonPropertyName("xaxis")] public Axis? XAxis { get; set; }
    [JsonPropertyName("yaxis")] public Axis? YAxis { get; set; }
    [JsonPropertyName("zaxis")] public Axis? ZAxis { get; set; }
    [JsonPropertyName("domain")] public Domain? Domain { get; set; }
    /// <summary>"auto", "cube", "data", "manual" (with <see cref="AspectRatio"/>).</summary>
    [JsonPropertyName("aspectmode")] public string? AspectMode { get; set; }
    [JsonPropertyName("aspectratio")] public Vector3? AspectRatio { get; set; }
    [JsonPropertyName("camera")] public Camera? Camera { get; set; }
}

/// <summary>A region of the paper: x and y as [from, to] fractions.</summary>
public sealed record Domain(
    [property: JsonPropertyName("x")] double[] X,
    [property: JsonPropertyName("y")] double[] Y);

/// <summary>A 3D vector (aspect ratios, camera positions).</summary>
public sealed record Vector3(
    [property: JsonPropertyName("x")] double X,
    [property: JsonPropertyName("y")] double Y,
    [property: JsonPropertyName("z")] double Z);

/// <summary>A scene camera: where the eye is, which way is up.</summary>
public sealed record Camera
{
    [JsonPropertyName("eye")] public Vector3? Eye { get; set; }
    [JsonPropertyName("up")] public Vector3? Up { get; set; }
    [JsonPropertyName("center")] public Vector3? Center { get; set; }
}
