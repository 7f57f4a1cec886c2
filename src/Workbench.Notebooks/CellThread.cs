using System.Collections.Concurrent;

namespace Workbench.Notebooks;

/// <summary>
/// The one thread every cell's code starts on, so state kept per thread (a <c>DisposeScope</c> entered in one cell and
/// ended in another, libtorch's grad mode) carries from cell to cell as it would in a script. No synchronization
/// context: after an <c>await</c> a cell continues on the thread pool, as a console program does. A background thread,
/// so a cell that never returns (the runner gave up on it) does not keep the process alive.
/// </summary>
internal sealed class CellThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();

    public CellThread()
    {
        var thread = new Thread(() => { foreach (var work in _work.GetConsumingEnumerable()) work(); }, maxStackSize: 16 << 20)
        {
            IsBackground = true,
            Name = "notebook cells",
        };
        thread.Start();
    }

    public Task<T> Run<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try { done.SetResult(work()); }
            catch (Exception e) { done.SetException(e); }
        });
        return done.Task;
    }

    public void Dispose() => _work.CompleteAdding();
}
