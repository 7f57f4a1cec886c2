namespace Workbench.Torch;

// Shape ops: views, reordering, joining, splitting, indexing, padding, device and dtype moves.
public sealed partial class Tensor
{
    /// <summary>Same data, new shape (one size may be -1); copies only when a view is impossible.</summary>
    public Tensor Reshape(params ReadOnlySpan<long> shape) => Wrap(Native.wb_reshape(Handle, shape, shape.Length));
    /// <summary>A view with a new shape; fails (rather than copying) when the strides do not allow it.</summary>
    public Tensor View(params ReadOnlySpan<long> shape) => Wrap(Native.wb_view(Handle, shape, shape.Length));
    /// <summary>The same bytes read as another dtype (torch.Tensor.view(dtype)); the last dim scales by the size ratio.</summary>
    public Tensor ViewAs(DType dtype) => Wrap(Native.wb_view_dtype(Handle, (int)dtype));
    public Tensor Permute(params ReadOnlySpan<long> dims)
    {
        if (dims.Length != Rank)
            throw new ArgumentException($"permute needs {Rank} dims for shape {FormatShape(ShapeNoCopy)}, got {FormatShape(dims)}", nameof(dims));
        return Wrap(Native.wb_permute(Handle, dims, dims.Length));
    }
    /// <summary>A broadcast view to <paramref name="shape"/> (-1 keeps a size).</summary>
    public Tensor Expand(params ReadOnlySpan<long> shape) => Wrap(Native.wb_expand(Handle, shape, shape.Length));
    /// <summary>Tiles the tensor <paramref name="repeats"/> times along each dim (torch.Tensor.repeat).</summary>
    public Tensor Repeat(params ReadOnlySpan<long> repeats) => Wrap(Native.wb_repeat(Handle, repeats, repeats.Length));
    public Tensor Flip(params ReadOnlySpan<long> dims) => Wrap(Native.wb_flip(Handle, dims, dims.Length));
    public Tensor Transpose(long dim0, long dim1) => Wrap(Native.wb_transpose(Handle, dim0, dim1));
    /// <summary>Matrix transpose of a 2-D tensor.</summary>
    public Tensor T => Rank == 2 ? Transpose(0, 1) : throw new InvalidOperationException($".T needs a 2-D tensor, this one has shape {FormatShape(ShapeNoCopy)}; use Transpose or Permute");
    /// <summary>Removes all size-1 dims.</summary>
    public Tensor Squeeze() => Wrap(Native.wb_squeeze(Handle));
    /// <summary>Removes <paramref name="dim"/> if its size is 1.</summary>
    public Tensor Squeeze(long dim) => Wrap(Native.wb_squeeze_dim(Handle, dim));
    public Tensor Unsqueeze(long dim) => Wrap(Native.wb_unsqueeze(Handle, dim));
    public Tensor Flatten(long startDim = 0, long endDim = -1) => Wrap(Native.wb_flatten(Handle, startDim, endDim));
    /// <summary>A view of <paramref name="length"/> entries of <paramref name="dim"/> from <paramref name="start"/>.</summary>
    public Tensor Narrow(long dim, long start, long length) => Wrap(Native.wb_narrow(Handle, dim, start, length));
    /// <summary>A view of [start, end) along <paramref name="dim"/> in steps of <paramref name="step"/> (Python's a[start:end:step]).</summary>
    public Tensor Slice(long dim, long start, long end, long step = 1)
    {
        if (step <= 0) throw new ArgumentException($"slice step must be positive, got {step}", nameof(step));
        return Wrap(Native.wb_slice(Handle, dim, start, end, step));
    }
    /// <summary>The sub-tensor at <paramref name="index"/> of <paramref name="dim"/> (that dim removed).</summary>
    public Tensor Select(long dim, long index) => Wrap(Native.wb_select(Handle, dim, index));
    public Tensor IndexSelect(long dim, Tensor index) => Wrap(Native.wb_index_select(Handle, dim, index.Handle));
    public Tensor Gather(long dim, Tensor index) => Wrap(Native.wb_gather(Handle, dim, index.Handle));
    public Tensor ScatterAdd(long dim, Tensor index, Tensor source) => Wrap(Native.wb_scatter_add(Handle, dim, index.Handle, source.Handle));
    /// <summary>The elements where <paramref name="mask"/> is true, as a 1-D tensor.</summary>
    public Tensor MaskedSelect(Tensor mask) => Wrap(Native.wb_masked_select(Handle, mask.Handle));
    public Tensor Roll(long shift, long dim) => Roll([shift], [dim]);
    public Tensor Roll(ReadOnlySpan<long> shifts, ReadOnlySpan<long> dims)
    {
        if (shifts.Length != dims.Length) throw new ArgumentException($"roll: {shifts.Length} shifts for {dims.Length} dims");
        return Wrap(Native.wb_roll(Handle, shifts, dims, dims.Length));
    }
    public Tensor Tril(long diagonal = 0) => Wrap(Native.wb_tril(Handle, diagonal));
    public Tensor Triu(long diagonal = 0) => Wrap(Native.wb_triu(Handle, diagonal));

    /// <summary>Pads as torch.nn.functional.pad: pairs (before, after) starting from the last dim.</summary>
    public Tensor Pad(ReadOnlySpan<long> pads, PadMode mode = PadMode.Constant, double value = 0)
    {
        if (pads.Length % 2 != 0 || pads.Length / 2 > Rank)
            throw new ArgumentException($"pad takes (before, after) pairs for at most {Rank} dims, got {FormatShape(pads)}", nameof(pads));
        return Wrap(Native.wb_pad(Handle, pads, pads.Length, (int)mode, value));
    }

    public static Tensor Cat(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("cat needs at least one tensor", nameof(tensors));
        return WithRawHandles(tensors, raw => Wrap(Native.wb_cat(raw, raw.Length, dim)));
    }

    public static Tensor Stack(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("stack needs at least one tensor", nameof(tensors));
        return WithRawHandles(tensors, raw => Wrap(Native.wb_stack(raw, raw.Length, dim)));
    }

    /// <summary>Splits into <paramref name="chunks"/> views along <paramref name="dim"/> (the last may be smaller; fewer when the dim is short).</summary>
    public Tensor[] Chunk(long chunks, long dim = 0)
    {
        if (chunks <= 0) throw new ArgumentException($"chunk count must be positive, got {chunks}", nameof(chunks));
        var output = new IntPtr[chunks];
        int n = CheckedCount(Native.wb_chunk(Handle, chunks, dim, output, output.Length));
        return WrapAll(output, n);
    }

    /// <summary>Splits into views of the given sizes along <paramref name="dim"/>; sizes must add up to the dim.</summary>
    public Tensor[] Split(ReadOnlySpan<long> sizes, long dim = 0)
    {
        var output = new IntPtr[sizes.Length];
        int n = CheckedCount(Native.wb_split(Handle, sizes, sizes.Length, dim, output, output.Length));
        return WrapAll(output, n);
    }

    /// <summary>Splits into views of <paramref name="splitSize"/> along <paramref name="dim"/> (the last may be smaller).</summary>
    public Tensor[] Split(long splitSize, long dim = 0)
    {
        if (splitSize <= 0) throw new ArgumentException($"split size must be positive, got {splitSize}", nameof(splitSize));
        long size = Size((int)dim);
        var sizes = new List<long>();
        for (long at = 0; at < size; at += splitSize) sizes.Add(Math.Min(splitSize, size - at));
        return Split(sizes.ToArray(), dim);
    }

    private static Tensor[] WrapAll(IntPtr[] raw, int n)
    {
        var result = new Tensor[n];
        for (int i = 0; i < n; i++) result[i] = new Tensor(new TensorHandle(raw[i]));
        return result;
    }

    // ---- device and dtype ----
    public Tensor To(DType dtype) => To(dtype, Device);
    public Tensor To(Device device) => To(DType, device);
    public Tensor To(DType dtype, Device device, bool nonBlocking = false, bool copy = false) =>
        Wrap(Native.wb_to(Handle, (int)dtype, (int)device.Type, device.Index, nonBlocking ? 1 : 0, copy ? 1 : 0));
    public Tensor Cpu() => To(Device.Cpu);
    public Tensor Cuda(int index = 0) => To(Device.Cuda(index));
    public Tensor Float() => To(DType.Float32);
    public Tensor Double() => To(DType.Float64);
    public Tensor Long() => To(DType.Int64);
}

/// <summary>How <see cref="Tensor.Pad"/> fills the border.</summary>
public enum PadMode
{
    Constant = 0,
    Reflect = 1,
    Replicate = 2,
    Circular = 3,
}
