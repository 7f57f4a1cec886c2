namespace Workbench.Extensions;

/// <summary>The display live views use when <c>Show()</c> is given none.</summary>
public static class LiveDisplay
{
    private static ILiveDisplay _current = NoKernelDisplay.Instance;

    /// <summary><see cref="NoKernelDisplay"/> until a kernel or the notebook runner sets another (<see cref="WorkbenchExtension.Enable"/>).</summary>
    public static ILiveDisplay Current
    {
        get => Volatile.Read(ref _current);
        set => Volatile.Write(ref _current, value ?? NoKernelDisplay.Instance);
    }
}
