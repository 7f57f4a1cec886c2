namespace Workbench.Torch;

/// <summary>An error raised inside libtorch (or the bridge), carrying libtorch's own message.</summary>
public sealed class TorchException : Exception
{
    public TorchException(string message) : base(message) { }

    /// <summary>The operation that failed, e.g. "Add" or "Conv3d".</summary>
    public string? Operation { get; init; }

    /// <summary>libtorch's message, without the operation prefix.</summary>
    public string? NativeMessage { get; init; }
}
