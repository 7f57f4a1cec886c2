using System.Text.RegularExpressions;
using Workbench.Data;

namespace Workbench.Metrics;

/// <summary>One object a Bouncing Shapes prompt asks for: "a red ball falls and bounces".</summary>
/// <param name="Motion">linear, gravity or occluded (the <see cref="MotionKind"/> names, lower case).</param>
/// <param name="Direction">left, right, up or down for moving objects; empty under gravity.</param>
public sealed record PromptObject(string Color, string Shape, string Motion, string Direction);

/// <summary>What a dataset caption (a prompt) asks for: Bouncing Shapes objects, or Moving MNIST digits.</summary>
public sealed record ParsedPrompt(IReadOnlyList<PromptObject> Objects, IReadOnlyList<int> Digits)
{
    public bool IsEmpty => Objects.Count == 0 && Digits.Count == 0;
    /// <summary>The motion all objects share (a clip has one motion kind), or null.</summary>
    public string? Motion => Objects.Select(o => o.Motion).Distinct().Count() == 1 ? Objects[0].Motion : null;
}

/// <summary>
/// Parses the captions the dataset generators write (<see cref="BouncingShapes.Describe"/>, Moving MNIST's
/// "the digits 3 and 7 move and bounce"), so that a generated clip can be scored against its prompt.
/// </summary>
public static partial class PromptParser
{
    public static ParsedPrompt Parse(string caption)
    {
        var text = caption.Trim().ToLowerInvariant();
        var objects = new List<PromptObject>();
        foreach (Match m in ShapePattern().Matches(text))
        {
            string color = m.Groups["color"].Value, shape = m.Groups["shape"].Value;
            if (!BouncingShapes.Palette.ContainsKey(color)) continue;
            string motion = m.Groups["falls"].Success ? "gravity" : m.Groups["wall"].Success ? "occluded" : "linear";
            objects.Add(new PromptObject(color, shape, motion, m.Groups["dir"].Success ? m.Groups["dir"].Value : ""));
        }
        var digits = new List<int>();
        var digitMatch = DigitPattern().Match(text);
        if (digitMatch.Success)
            foreach (Capture c in digitMatch.Groups["d"].Captures) digits.Add(int.Parse(c.Value));
        return new ParsedPrompt(objects, digits);
    }

    [GeneratedRegex(@"\b(?:a|an)\s+(?<color>[a-z]+)\s+(?<shape>ball|square|triangle)\s+(?:(?<falls>falls and bounces)|moves\s+(?<dir>left|right|up|down)(?<wall>\s+behind a wall)?)")]
    private static partial Regex ShapePattern();

    [GeneratedRegex(@"\bthe digits?\s+(?<d>\d)(?:\s*(?:,|and)\s*(?<d>\d))*")]
    private static partial Regex DigitPattern();
}
