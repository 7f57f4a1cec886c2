using System.Text.Json.Nodes;
using Workbench.NN;

namespace Workbench.Data.Tests;

public class DatasetTests
{
    private static void Write(string dir, ulong seed, int count, int perShard = 7)
    {
        var generator = new BouncingShapes();
        using var writer = new VideoDatasetWriter(dir, 17, 32, 32, 3, new JsonObject { ["name"] = "shapes", ["seed"] = seed }, perShard);
        for (int i = 0; i < count; i++) writer.Add(generator.Generate(seed, i));
        writer.Complete();
    }

    [Fact]
    public void ClipsRoundTripThroughShardsWithCaptionsAndGroundTruth()
    {
        using var tmp = new TempDir();
        Write(tmp["ds"], seed: 4, count: 20);
        using var dataset = VideoDataset.Open(tmp["ds"]);
        Assert.Equal(20, dataset.Count);
        Assert.Equal(3, Directory.GetFiles(tmp["ds"], "frames-*.safetensors").Length); // 7 + 7 + 6
        var generator = new BouncingShapes();
        foreach (var i in new[] { 0, 6, 7, 13, 19 })
        {
            var expected = generator.Generate(4, i);
            var clip = dataset.Get(i);
            Assert.Equal(expected.Pixels, clip.Pixels);
            Assert.Equal(expected.Caption, clip.Caption);
            Assert.Equal(expected.Objects.Count, clip.Objects.Count);
            Assert.Equal(expected.Objects[0].Position, clip.Objects[0].Position);
            Assert.Equal(expected.Objects[0].Visible, clip.Objects[0].Visible);
        }
    }

    [Fact]
    public void SameSeedGivesByteIdenticalDatasets()
    {
        using var tmp = new TempDir();
        Write(tmp["a"], 9, 10);
        Write(tmp["b"], 9, 10);
        Write(tmp["c"], 10, 10);
        foreach (var name in new[] { "frames-00000.safetensors", "frames-00001.safetensors", "metadata.jsonl", "dataset.json" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(tmp["a"], name)), File.ReadAllBytes(Path.Combine(tmp["b"], name)));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(tmp["a"], "metadata.jsonl")), File.ReadAllBytes(Path.Combine(tmp["c"], "metadata.jsonl")));
    }

    [Fact]
    public void AnExistingDatasetIsNeverOverwrittenAndAnAbandonedOneLeavesNothing()
    {
        using var tmp = new TempDir();
        Write(tmp["ds"], 1, 3);
        var before = File.ReadAllBytes(Path.Combine(tmp["ds"], "metadata.jsonl"));
        var e = Assert.Throws<IOException>(() => Write(tmp["ds"], 2, 3));
        Assert.Contains("already exists", e.Message);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(tmp["ds"], "metadata.jsonl")));

        using (var writer = new VideoDatasetWriter(tmp["half"], 17, 32, 32, 3, new JsonObject()))
            writer.Add(new BouncingShapes().Generate(0, 0)); // disposed without Complete
        Assert.False(Directory.Exists(tmp["half"]));
        Assert.Single(Directory.GetFileSystemEntries(tmp.Path)); // only "ds": no partial folder left behind
    }

    [Fact]
    public void ATruncatedShardIsReportedWithItsName()
    {
        using var tmp = new TempDir();
        Write(tmp["ds"], 1, 3);
        var shard = Path.Combine(tmp["ds"], "frames-00000.safetensors");
        var bytes = File.ReadAllBytes(shard);
        File.WriteAllBytes(shard, bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<InvalidDataException>(() => VideoDataset.Open(tmp["ds"]));
        Assert.Contains("frames-00000.safetensors", e.Message);
        Assert.Contains("outside", e.Message);
    }

    [Fact]
    public void MissingMetadataLinesAreReported()
    {
        using var tmp = new TempDir();
        Write(tmp["ds"], 1, 3);
        var meta = Path.Combine(tmp["ds"], "metadata.jsonl");
        File.WriteAllLines(meta, File.ReadAllLines(meta).Take(2));
        var e = Assert.Throws<InvalidDataException>(() => VideoDataset.Open(tmp["ds"]));
        Assert.Contains("2 metadata lines for 3 clips", e.Message);
    }

    [Fact]
    public void SafetensorsHeadersThatLieAreRejected()
    {
        using var tmp = new TempDir();
        var path = tmp["x.safetensors"];
        void WriteHeader(string json, int dataBytes)
        {
            var header = System.Text.Encoding.UTF8.GetBytes(json);
            using var f = File.Create(path);
            f.Write(BitConverter.GetBytes((ulong)header.Length));
            f.Write(header);
            f.Write(new byte[dataBytes]);
        }
        WriteHeader("""{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}""", 16);
        Assert.Contains("needs 16 bytes", Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path)).Message);
        WriteHeader("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8);
        Assert.Contains("outside the 8 data bytes", Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path)).Message);
        WriteHeader("""{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}""", 8);
        Assert.Contains("C64", Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path)).Message);
        WriteHeader("""{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}""", 8);
        Assert.Contains("overlaps", Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path)).Message);
        File.WriteAllBytes(path, [255, 255, 255, 255, 0, 0, 0, 0, 1, 2]);
        Assert.Contains("header claims", Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path)).Message);
    }
}
