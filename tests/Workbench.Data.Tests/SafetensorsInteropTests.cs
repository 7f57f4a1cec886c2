using Workbench.NN;

namespace Workbench.Data.Tests;

/// <summary>
/// Interop with PyTorch's safetensors package: the fixture tests/fixtures/pytorch_fixture.safetensors was
/// written by safetensors.torch.save_file (tests/fixtures/safetensors_interop.py); its values follow the
/// formulas below. The file this test writes is checked by the same script's `check` on a machine with
/// the package (set WORKBENCH_SAFETENSORS_OUT to keep it).
/// </summary>
public class SafetensorsInteropTests
{
    private static string Fixture([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "..", "fixtures", "pytorch_fixture.safetensors");

    // The formulas of safetensors_interop.py, computed here without libtorch.
    private static readonly float[] QkvWeight = Enumerable.Range(0, 24).Select(i => i / 8f - 1).ToArray();
    private static readonly double[] QkvBias = Enumerable.Range(0, 6).Select(i => i * 0.5).ToArray();
    private static readonly float[] Half = Enumerable.Range(0, 5).Select(i => i * 0.25f).ToArray();
    private static readonly float[] Brain = Enumerable.Range(0, 5).Select(i => i * 0.5f - 1).ToArray();
    private static readonly long[] Counts = Enumerable.Range(-3, 6).Select(i => (long)i).ToArray();
    private static readonly byte[] Pixels = Enumerable.Range(0, 12).Select(i => (byte)(i * 20 % 256)).ToArray();

    private static void CheckAgainstFormulas(SafetensorsFile file)
    {
        using var scope = DisposeScope.Enter();
        Assert.Equal(8, file.Entries.Count);
        var w = file.ReadTensor("blocks.0.attn.qkv.weight");
        Assert.Equal(new long[] { 2, 3, 4 }, w.Shape);
        Assert.Equal(QkvWeight, w.ToArray<float>());
        Assert.Equal(QkvBias, file.ReadTensor("blocks.0.attn.qkv.bias").ToArray<double>());
        var half = file.ReadTensor("half");
        Assert.Equal(DType.Float16, half.DType);
        Assert.Equal(Half, half.To(DType.Float32).ToArray<float>());
        var brain = file.ReadTensor("brain");
        Assert.Equal(DType.BFloat16, brain.DType);
        Assert.Equal(Brain, brain.To(DType.Float32).ToArray<float>());
        var counts = file.ReadTensor("counts");
        Assert.Equal(new long[] { 3, 2 }, counts.Shape);
        Assert.Equal(Counts, counts.ToArray<long>());
        Assert.Equal(Pixels, file.ReadTensor("pixels").ToArray<byte>());
        Assert.Equal(new[] { true, false, true }, file.ReadTensor("mask").ToArray<bool>());
        var scalar = file.ReadTensor("scalar");
        Assert.Empty(scalar.Shape);
        Assert.Equal(2.5f, scalar.Item<float>());
    }

    [Fact]
    public void AFileWrittenByPyTorchsSafetensorsLoadsWithTheRightValues()
    {
        Assert.SkipUnless(File.Exists(Fixture()), "the PyTorch fixture has not been generated yet");
        using var file = SafetensorsFile.Open(Fixture());
        Assert.Equal("pt", file.Metadata["format"]);
        CheckAgainstFormulas(file);
    }

    [Fact]
    public void AFileWrittenHereRoundTripsAndFollowsTheFormat()
    {
        var path = Environment.GetEnvironmentVariable("WORKBENCH_SAFETENSORS_OUT")
                   ?? Path.Combine(Path.GetTempPath(), $"wb-{Guid.NewGuid():N}.safetensors");
        try
        {
            using (var scope = DisposeScope.Enter())
            {
                SafetensorsFile.Save(path,
                [
                    ("blocks.0.attn.qkv.weight", Tensor.From(QkvWeight, [2, 3, 4])),
                    ("blocks.0.attn.qkv.bias", Tensor.From(QkvBias)),
                    ("half", Tensor.From(Half).To(DType.Float16)),
                    ("brain", Tensor.From(Brain).To(DType.BFloat16)),
                    ("counts", Tensor.From(Counts, [3, 2])),
                    ("pixels", Tensor.From(Pixels, [3, 4])),
                    ("mask", Tensor.From(new[] { true, false, true })),
                    ("scalar", Tensor.FromScalar(2.5f)),
                ], new Dictionary<string, string> { ["format"] = "pt" });
            }
            // The layout the format prescribes: an 8-byte little-endian header length, then the JSON header padded to 8 bytes.
            var bytes = File.ReadAllBytes(path);
            long headerLength = BitConverter.ToInt64(bytes, 0);
            Assert.Equal(0, headerLength % 8);
            Assert.Equal((byte)'{', bytes[8]);
            using var file = SafetensorsFile.Open(path);
            CheckAgainstFormulas(file);
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("WORKBENCH_SAFETENSORS_OUT") is null) File.Delete(path);
        }
    }
}
