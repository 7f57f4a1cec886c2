using System.Text.Json;

namespace Workbench;

/// <summary>
/// JSON settings for configs written into run folders. Fields are included because configs hold value
/// tuples such as a patch size (T, H, W), which System.Text.Json skips by default.
/// </summary>
public static class ConfigJson
{
    public static readonly JsonSerializerOptions Options = new() { IncludeFields = true, WriteIndented = true };
}
