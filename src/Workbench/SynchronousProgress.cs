namespace Workbench;

/// <summary>
/// An IProgress that reports on the calling thread, in order (Progress&lt;T&gt; posts to the thread pool, so
/// reports can arrive late and out of order: wrong for progress bars and training curves).
/// </summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
