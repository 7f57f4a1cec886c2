namespace Workbench.Torch;

/// <summary>Element types; the values are libtorch's <c>c10::ScalarType</c> codes.</summary>
public enum DType
{
    UInt8 = 0,
    Int8 = 1,
    Int16 = 2,
    Int32 = 3,
    Int64 = 4,
    Float16 = 5,
    Float32 = 6,
    Float64 = 7,
    Bool = 11,
    BFloat16 = 15,
}

public static class DTypeExtensions
{
    public static bool IsFloatingPoint(this DType t) => t is DType.Float16 or DType.Float32 or DType.Float64 or DType.BFloat16;

    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this DType t) => t switch
    {
        DType.UInt8 or DType.Int8 or DType.Bool => 1,
        DType.Int16 or DType.Float16 or DType.BFloat16 => 2,
        DType.Int32 or DType.Float32 => 4,
        _ => 8,
    };

    /// <summary>PyTorch's name: float32, bfloat16, int64, uint8, bool, ...</summary>
    public static string Name(this DType t) => t.ToString().ToLowerInvariant();

    /// <summary>Parses a PyTorch dtype name ("float32", "bf16", "long", ...).</summary>
    public static DType Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "float32" or "float" or "f32" => DType.Float32,
        "float64" or "double" or "f64" => DType.Float64,
        "float16" or "half" or "f16" or "fp16" => DType.Float16,
        "bfloat16" or "bf16" => DType.BFloat16,
        "int64" or "long" => DType.Int64,
        "int32" or "int" => DType.Int32,
        "int16" => DType.Int16,
        "int8" => DType.Int8,
        "uint8" or "byte" => DType.UInt8,
        "bool" => DType.Bool,
        _ => throw new ArgumentException($"unknown dtype '{name}' (expected float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8 or bool)", nameof(name)),
    };

    /// <summary>The dtype that holds .NET type <typeparamref name="T"/>.</summary>
    public static DType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? DType.Float32 :
        typeof(T) == typeof(double) ? DType.Float64 :
        typeof(T) == typeof(long) ? DType.Int64 :
        typeof(T) == typeof(int) ? DType.Int32 :
        typeof(T) == typeof(short) ? DType.Int16 :
        typeof(T) == typeof(sbyte) ? DType.Int8 :
        typeof(T) == typeof(byte) ? DType.UInt8 :
        typeof(T) == typeof(bool) ? DType.Bool :
        typeof(T) == typeof(Half) ? DType.Float16 :
        throw new ArgumentException($"no tensor dtype holds .NET type {typeof(T).Name}");
}
