namespace Workbench.Torch;

/// <summary>
/// Disposes, when it ends, every tensor created on this thread while it was the innermost scope:
/// <code>
/// using (DisposeScope.Enter()) { var loss = Step(batch); total += loss.Item&lt;float&gt;(); }
/// </code>
/// Keep a result with <see cref="Tensor.MoveToOuterScope"/> or <see cref="Tensor.DetachFromScope"/>.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? _current;

    private readonly HashSet<Tensor> _tensors = new(ReferenceEqualityComparer.Instance);
    private bool _ended;

    private DisposeScope(DisposeScope? outer) => Outer = outer;

    /// <summary>The innermost scope of this thread, or null.</summary>
    public static DisposeScope? Current => _current;

    internal DisposeScope? Outer { get; }

    /// <summary>Number of live tensors this scope will dispose.</summary>
    public int Count => _tensors.Count;

    public static DisposeScope Enter() => _current = new DisposeScope(_current);

    internal void Register(Tensor t)
    {
        _tensors.Add(t);
        t.Scope = this;
    }

    internal void Unregister(Tensor t)
    {
        _tensors.Remove(t);
        t.Scope = null;
    }

    /// <summary>Keeps <paramref name="t"/> alive past this scope (moved to the enclosing one).</summary>
    public Tensor Keep(Tensor t) => t.Scope == this ? t.MoveToOuterScope() : t;

    public void Dispose()
    {
        if (_ended) return;
        _ended = true;
        foreach (var t in _tensors.ToArray())
        {
            t.Scope = null;
            t.Dispose();
        }
        _tensors.Clear();
        if (_current == this)
        {
            // Never leave an ended scope current (an outer one disposed first): its new tensors would never be freed.
            var outer = Outer;
            while (outer is { _ended: true }) outer = outer.Outer;
            _current = outer;
        }
    }
}
