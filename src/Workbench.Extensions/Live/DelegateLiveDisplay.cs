namespace Workbench.Extensions;

/// <summary>
/// A live display from two functions, for hosts this assembly does not reference. In a .NET Interactive kernel:
/// <code>new DelegateLiveDisplay(view => { var shown = Kernel.display(view); return shown.Update; })</code>
/// (the kernel formats the view through the registered text/html formatter on every update).
/// </summary>
public sealed class DelegateLiveDisplay(Func<object, Action<object>> show) : ILiveDisplay
{
    public ILiveDisplayHandle Show(IHtmlView view) => new Handle(show(view));

    private sealed class Handle(Action<object> update) : ILiveDisplayHandle
    {
        public void Update(IHtmlView view) => update(view);
    }
}
