namespace Workbench.Torch;

/// <summary>
/// One entry of a NumPy-style index: <c>t[0]</c>, <c>t[.., 1..3]</c>, <c>t[TensorIndex.Ellipsis, 0]</c>,
/// <c>t[TensorIndex.NewAxis]</c>, <c>t[TensorIndex.Slice(0, 8, 2)]</c>, or an index tensor (int64: rows
/// to take along that dim; bool: a mask, as the only entry).
/// </summary>
public readonly struct TensorIndex
{
    internal enum Kind { Single, Slice, Ellipsis, NewAxis, Tensor }

    internal Kind What { get; }
    internal long Index { get; }
    internal Index? Start { get; }
    internal Index? End { get; }
    internal long Step { get; }
    internal Tensor? Indices { get; }

    private TensorIndex(Kind what, long index = 0, Index? start = null, Index? end = null, long step = 1, Tensor? indices = null) =>
        (What, Index, Start, End, Step, Indices) = (what, index, start, end, step, indices);

    public static readonly TensorIndex Ellipsis = new(Kind.Ellipsis);
    public static readonly TensorIndex NewAxis = new(Kind.NewAxis);
    public static readonly TensorIndex All = new(Kind.Slice);

    /// <summary>[start, end) in steps (Python's start:end:step); ends may count from the end (^1).</summary>
    public static TensorIndex Slice(Index? start = null, Index? end = null, long step = 1) => new(Kind.Slice, start: start, end: end, step: step);

    public static implicit operator TensorIndex(long index) => new(Kind.Single, index);
    public static implicit operator TensorIndex(int index) => new(Kind.Single, index);
    /// <summary>An index counted from either end: <c>t[^1]</c> is the last entry.</summary>
    public static implicit operator TensorIndex(Index index) => index.IsFromEnd ? new(Kind.Single, -index.Value) : new(Kind.Single, index.Value);
    public static implicit operator TensorIndex(Range range) => new(Kind.Slice, start: range.Start, end: range.End);
    public static implicit operator TensorIndex(Tensor indices) => new(Kind.Tensor, indices: indices);
}

public sealed partial class Tensor
{
    /// <summary>NumPy-style indexing; the result is a view except for index tensors. Assigning copies into the view.</summary>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public Tensor this[params TensorIndex[] indices]
    {
        get => Index(indices);
        set
        {
            // An index tensor selects a copy, not a view: copying into it would silently change nothing.
            if (indices.Any(i => i.What == TensorIndex.Kind.Tensor))
                throw new NotSupportedException("assigning through an index tensor is not supported (it selects a copy, not a view); use MaskedFill, Where or ScatterAdd");
            using var view = Index(indices);
            view.Copy_(value);
        }
    }

    private Tensor Index(TensorIndex[] indices)
    {
        if (indices.Length == 1 && indices[0].What == TensorIndex.Kind.Tensor && indices[0].Indices!.DType == DType.Bool)
            return MaskedSelect(indices[0].Indices!);

        int consumed = indices.Count(i => i.What is TensorIndex.Kind.Single or TensorIndex.Kind.Slice or TensorIndex.Kind.Tensor);
        if (consumed > Rank)
            throw new ArgumentException($"{consumed} indices for a tensor of rank {Rank} (shape {FormatShape(ShapeNoCopy)})");
        if (indices.Count(i => i.What == TensorIndex.Kind.Ellipsis) > 1)
            throw new ArgumentException("an index can hold at most one Ellipsis");

        var current = Alias();
        int dim = 0; // the dim of `current` that the next entry applies to
        try
        {
            foreach (var entry in indices)
            {
                Tensor next;
                switch (entry.What)
                {
                    case TensorIndex.Kind.Ellipsis:
                        dim += Rank - consumed;
                        continue;
                    case TensorIndex.Kind.NewAxis:
                        next = current.Unsqueeze(dim++);
                        break;
                    case TensorIndex.Kind.Single:
                        long size = current.Size(dim);
                        if (entry.Index < -size || entry.Index >= size)
                            throw new IndexOutOfRangeException($"index {entry.Index} is out of range for dim {dim} of size {size} (shape {FormatShape(current.ShapeNoCopy)})");
                        next = current.Select(dim, entry.Index);
                        break;
                    case TensorIndex.Kind.Slice:
                        long n = current.Size(dim);
                        long start = entry.Start is { } s ? Math.Clamp(s.IsFromEnd ? n - s.Value : s.Value, 0, n) : 0;
                        long end = entry.End is { } e ? Math.Clamp(e.IsFromEnd ? n - e.Value : e.Value, 0, n) : n;
                        next = current.Slice(dim++, start, Math.Max(start, end), entry.Step);
                        break;
                    default:
                        var idx = entry.Indices!;
                        if (idx.Rank != 1 || idx.DType is not (DType.Int64 or DType.Int32))
                            throw new ArgumentException($"an index tensor inside a multi-entry index must be 1-D int64, got {idx.DType.Name()} of shape {FormatShape(idx.ShapeNoCopy)}");
                        next = current.IndexSelect(dim++, idx);
                        break;
                }
                current.Dispose();
                current = next;
            }
            return current;
        }
        catch
        {
            current.Dispose();
            throw;
        }
    }
}
