namespace Workbench.Extensions;

/// <summary>
/// Somewhere a view can be shown and then replaced in place while work runs (a notebook output cell). A .NET
/// Interactive kernel's <c>display(value)</c> and its <c>DisplayedValue.Update</c> are one (wrap them in
/// <see cref="DelegateLiveDisplay"/>; the package's extension.dib does); the notebook runner plugs in its own.
/// Without a kernel <see cref="NoKernelDisplay"/> shows nothing and the view keeps its data, so its
/// <c>ToHtml()</c> renders the current state.
/// </summary>
public interface ILiveDisplay
{
    /// <summary>Shows <paramref name="view"/> and returns the handle that replaces it.</summary>
    ILiveDisplayHandle Show(IHtmlView view);
}

/// <summary>One shown output.</summary>
public interface ILiveDisplayHandle
{
    /// <summary>Replaces the shown output with <paramref name="view"/>'s current rendering.</summary>
    void Update(IHtmlView view);
}
