using System.Threading.Channels;
using Workbench.Torch;

namespace Workbench.Data;

/// <summary>
/// A batch of clips: <see cref="Video"/> is (B, C, T, H, W) float in [-1, 1] on the loader's device, with
/// the clips' captions, ground truth and dataset indices alongside. The consumer owns the batch: dispose it.
/// </summary>
public sealed class VideoBatch(Tensor video, IReadOnlyList<VideoClip> clips, long[] indices) : IDisposable
{
    public Tensor Video { get; } = video;
    public IReadOnlyList<VideoClip> Clips { get; } = clips;
    public long[] Indices { get; } = indices;
    public string[] Captions => Clips.Select(c => c.Caption).ToArray();
    public int Size => Clips.Count;
    public void Dispose() => Video.Dispose();
}

/// <summary>
/// Batches clips from a dataset: seeded shuffling (the order depends only on the seed and the epoch),
/// clips read and converted on a background thread while the consumer trains (prefetch), batches moved to
/// any device.
/// </summary>
/// <param name="frames">Keep the first this many frames of each clip (e.g. 17 = 1 + 4·4 for a 4× temporal VAE).</param>
/// <param name="size">Resize frames to size × size (area averaging for whole factors, bilinear otherwise).</param>
public sealed class DataLoader(IVideoDataset dataset, int batchSize, bool shuffle = true, ulong seed = 0,
    Device? device = null, bool dropLast = true, int prefetch = 2, int? frames = null, int? size = null)
{
    public IVideoDataset Dataset { get; } = dataset;
    public int BatchSize { get; } = batchSize > 0 ? batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size must be positive, got {batchSize}");
    public Device Device { get; } = device ?? Device.Cpu;

    public int BatchesPerEpoch => (int)(dropLast ? Dataset.Count / BatchSize : (Dataset.Count + BatchSize - 1) / BatchSize);

    /// <summary>The order clips are visited in, in <paramref name="epoch"/> (a Fisher–Yates shuffle with a stream per epoch).</summary>
    public long[] Order(int epoch)
    {
        var order = new long[Dataset.Count];
        for (long i = 0; i < order.Length; i++) order[i] = i;
        if (!shuffle) return order;
        var rng = Rng.ForItem(seed, epoch);
        for (long i = order.Length - 1; i > 0; i--)
        {
            long j = (long)(rng.NextDouble() * (i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>The batches of one epoch, produced ahead on a background thread.</summary>
    public async IAsyncEnumerable<VideoBatch> EpochAsync(int epoch = 0, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel = default)
    {
        var order = Order(epoch);
        var channel = Channel.CreateBounded<VideoBatch>(new BoundedChannelOptions(Math.Max(1, prefetch)) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(async () =>
        {
            try
            {
                for (int b = 0; b < BatchesPerEpoch; b++)
                {
                    cancel.ThrowIfCancellationRequested();
                    await channel.Writer.WriteAsync(MakeBatch(order, b), cancel).ConfigureAwait(false);
                }
                channel.Writer.Complete();
            }
            catch (Exception e) { channel.Writer.Complete(e); }
        }, cancel);
        try
        {
            // ConfigureAwait(false): Epoch() blocks on this iterator, so it must never need the caller's context.
            await foreach (var batch in channel.Reader.ReadAllAsync(cancel).ConfigureAwait(false)) yield return batch;
            await producer.ConfigureAwait(false);
        }
        finally
        {
            // Batches made ahead but never handed out are freed here.
            while (channel.Reader.TryRead(out var unused)) unused.Dispose();
        }
    }

    /// <summary>The batches of one epoch (synchronous form of <see cref="EpochAsync"/>).</summary>
    public IEnumerable<VideoBatch> Epoch(int epoch = 0)
    {
        var e = EpochAsync(epoch).GetAsyncEnumerator();
        try
        {
            while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult()) yield return e.Current;
        }
        finally { e.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }

    private VideoBatch MakeBatch(long[] order, int b)
    {
        int start = b * BatchSize, n = (int)Math.Min(BatchSize, order.LongLength - start);
        var indices = order.AsSpan(start, n).ToArray();
        var clips = indices.Select(Dataset.Get).ToArray();
        var first = clips[0];
        foreach (var c in clips)
            if (c.Frames != first.Frames || c.Height != first.Height || c.Width != first.Width || c.Channels != first.Channels)
                throw new InvalidDataException($"clips in a batch differ in shape: {first.Frames}×{first.Height}×{first.Width}×{first.Channels} vs {c.Frames}×{c.Height}×{c.Width}×{c.Channels}");
        using var scope = DisposeScope.Enter();
        var bytes = new byte[(long)n * first.Pixels.Length];
        for (int i = 0; i < n; i++) clips[i].Pixels.CopyTo(bytes, (long)i * first.Pixels.Length);
        var video = Tensor.From(bytes, [n, first.Frames, first.Height, first.Width, first.Channels])
            .To(Device).To(DType.Float32).Div(127.5).Sub(1).Permute(0, 4, 1, 2, 3); // (B, C, T, H, W)
        if (frames is { } keep)
        {
            if (keep > first.Frames) throw new InvalidDataException($"clips have {first.Frames} frames, {keep} were asked for");
            video = video.Narrow(2, 0, keep);
        }
        if (size is { } s && (s != first.Height || s != first.Width)) video = Resize(video, s);
        return new VideoBatch(scope.Keep(video.Contiguous()), clips, indices);
    }

    private static Tensor Resize(Tensor video, int size)
    {
        long h = video.Size(3), w = video.Size(4);
        if (h % size == 0 && w % size == 0)
            return F.AvgPool3d(video, (1, h / size, w / size));
        return F.Interpolate(video, [video.Size(2), size, size], InterpolateMode.Linear);
    }
}
