using System.Collections;
using System.Runtime.CompilerServices;

namespace Workbench.Torch;

/// <summary>
/// A list of dimensions for reductions: <c>t.Sum(1)</c>, <c>t.Sum([1, 2])</c>, or <c>default</c> (all dims).
/// Negative dims count from the end, as in PyTorch.
/// </summary>
[CollectionBuilder(typeof(Dims), nameof(Create))]
public readonly struct Dims : IEnumerable<long>
{
    private readonly long[]? _dims;

    private Dims(long[] dims) => _dims = dims;

    public static Dims All => default;
    public static Dims Create(ReadOnlySpan<long> dims) => new(dims.ToArray());
    public static implicit operator Dims(long dim) => new([dim]);
    public static implicit operator Dims(int dim) => new([dim]);
    public static implicit operator Dims(long[] dims) => new(dims);
    public static implicit operator Dims(int[] dims) => new(Array.ConvertAll(dims, d => (long)d));

    internal ReadOnlySpan<long> Span => _dims ?? [];
    public int Count => _dims?.Length ?? 0;

    public IEnumerator<long> GetEnumerator() => ((IEnumerable<long>)(_dims ?? [])).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    public override string ToString() => _dims is null ? "all" : $"[{string.Join(", ", _dims)}]";
}
