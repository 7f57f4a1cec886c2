namespace Workbench.Extensions;

/// <summary>
/// The display outside a kernel: shows nothing and ignores updates. The view still holds its data: call its
/// <c>ToHtml()</c> (or return it at the end of a cell) for the current state.
/// </summary>
public sealed class NoKernelDisplay : ILiveDisplay, ILiveDisplayHandle
{
    public static NoKernelDisplay Instance { get; } = new();

    private NoKernelDisplay() { }

    public ILiveDisplayHandle Show(IHtmlView view) => this;

    public void Update(IHtmlView view) { }
}
