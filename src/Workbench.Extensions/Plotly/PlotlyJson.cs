using System.Text.Json;
using System.Text.Json.Serialization;

namespace Workbench.Extensions.Plotly;

/// <summary>
/// How figures become JSON: System.Text.Json, null attributes left out, NaN and infinities written as null (plotly.js
/// draws a gap there), and the default encoder, which escapes &lt; &gt; &amp; so the JSON is safe inside a &lt;script&gt;.
/// </summary>
public static class PlotlyJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    public static string Serialize(object? value) => JsonSerializer.Serialize(value, Options);

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = false,
        };
        o.Converters.Add(new FiniteDouble());
        o.Converters.Add(new FiniteFloat());
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    private sealed class FiniteDouble : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }

    private sealed class FiniteFloat : JsonConverter<float>
    {
        public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? float.NaN : reader.GetSingle();

        public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options)
        {
            if (float.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }
}
