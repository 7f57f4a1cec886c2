namespace Workbench.Data.Tests;

public class LoaderTests
{
    private static readonly BouncingShapes Shapes = new();
    private static GeneratedDataset Dataset(int count) => new(count, i => Shapes.Generate(3, i));

    [Fact]
    public void AnEpochVisitsEveryClipOnceInASeededOrder()
    {
        var loader = new DataLoader(Dataset(23), batchSize: 4, shuffle: true, seed: 5, dropLast: false);
        var seen = new List<long>();
        foreach (var batch in loader.Epoch(0))
            using (batch)
            {
                Assert.Equal([batch.Size, 3, 17, 32, 32], batch.Video.Shape);
                seen.AddRange(batch.Indices);
            }
        Assert.Equal(Enumerable.Range(0, 23).Select(i => (long)i), seen.Order());
        Assert.Equal(loader.Order(0), seen);
        Assert.Equal(loader.Order(0), new DataLoader(Dataset(23), 4, true, 5).Order(0));
        Assert.NotEqual(loader.Order(0), loader.Order(1));
        Assert.NotEqual(loader.Order(0), new DataLoader(Dataset(23), 4, true, 6).Order(0));
    }

    [Fact]
    public void BatchesHoldTheClipsScaledToMinusOneOneWithTheirCaptions()
    {
        var loader = new DataLoader(Dataset(6), batchSize: 3, shuffle: false);
        using var scope = DisposeScope.Enter();
        var batch = loader.Epoch().First();
        Assert.Equal(new long[] { 0, 1, 2 }, batch.Indices);
        Assert.Equal(Shapes.Generate(3, 1).Caption, batch.Captions[1]);
        var clip = Shapes.Generate(3, 2);
        // Pixel (t=4, y=10, x=20), channel 1 of clip 2, against its byte value.
        byte b = clip.Pixels[((4 * 32 + 10) * 32 + 20) * 3 + 1];
        Assert.Equal(b / 127.5 - 1, batch.Video[2, 1, 4, 10, 20].Item<double>(), 5);
        Assert.True(batch.Video.Min().Item<float>() >= -1 && batch.Video.Max().Item<float>() <= 1);
        batch.Dispose();
    }

    [Fact]
    public void DropLastKeepsOnlyFullBatches()
    {
        Assert.Equal(5, new DataLoader(Dataset(23), 4, dropLast: true).Epoch().Count());
        Assert.Equal(6, new DataLoader(Dataset(23), 4, dropLast: false).BatchesPerEpoch);
    }
}
