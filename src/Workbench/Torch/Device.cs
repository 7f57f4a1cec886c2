namespace Workbench.Torch;

/// <summary>Device kinds; the values are libtorch's <c>c10::DeviceType</c> codes.</summary>
public enum DeviceType
{
    Cpu = 0,
    Cuda = 1,
}

/// <summary>Where a tensor lives: <c>cpu</c> or <c>cuda:N</c>.</summary>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    public static readonly Device Cpu = new(DeviceType.Cpu);

    public static Device Cuda(int index = 0) => new(DeviceType.Cuda, index);

    public bool IsCuda => Type == DeviceType.Cuda;

    /// <summary>Parses "cpu", "cuda" (device 0) or "cuda:N".</summary>
    public static Device Parse(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        if (s == "cpu") return Cpu;
        if (s == "cuda") return Cuda(0);
        if (s.StartsWith("cuda:") && int.TryParse(s.AsSpan(5), out var i) && i >= 0) return Cuda(i);
        throw new ArgumentException($"unknown device '{text}' (expected cpu, cuda or cuda:N)", nameof(text));
    }

    public static implicit operator Device(string text) => Parse(text);

    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : $"cuda:{Math.Max(Index, 0)}";
}
