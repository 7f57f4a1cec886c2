namespace Workbench.Metrics.Tests;

public class ScriptModuleTests
{
    [Fact]
    public void CallsATorchScriptModuleWithKeywordArguments()
    {
        // tests/fixtures/kwargs_module.pt: forward(x, scale: float = 1.0, shift: int = 0, negate: bool = False)
        // = ±(x · scale + shift) · [1, 2, 3], made by tests/fixtures/torchscript_fixture.py.
        using var module = ScriptModule.Load(NpyTests.Fixture("kwargs_module.pt"));
        using var scope = DisposeScope.Enter();
        var x = Tensor.Arange(0, 6, 1, DType.Float32).Reshape(2, 3);
        var y = module.Forward([x], new Dictionary<string, object> { ["scale"] = 2.0, ["shift"] = 1, ["negate"] = true });
        Assert.Equal(new float[] { -1, -6, -15, -7, -18, -33 }, y.ToArray<float>());
        var plain = module.Forward([x]);
        Assert.Equal(new float[] { 0, 2, 6, 3, 8, 15 }, plain.ToArray<float>());
    }

    [Fact]
    public void LoadsOntoCudaAndRunsThere()
    {
        Assert.SkipUnless(Workbench.Torch.Torch.Cuda.IsAvailable, "no CUDA device");
        using var module = ScriptModule.Load(NpyTests.Fixture("kwargs_module.pt"), Device.Cuda());
        using var scope = DisposeScope.Enter();
        var x = Tensor.Arange(0, 6, 1, DType.Float32, Device.Cuda()).Reshape(2, 3);
        var y = module.Forward([x], new Dictionary<string, object> { ["scale"] = 2.0f, ["shift"] = 1L, ["negate"] = false });
        Assert.True(y.Device.IsCuda);
        Assert.Equal(new float[] { 1, 6, 15, 7, 18, 33 }, y.Cpu().ToArray<float>());
    }

    [Fact]
    public void ErrorsNameTheProblem()
    {
        Assert.Throws<FileNotFoundException>(() => ScriptModule.Load("/nonexistent/i3d_torchscript.pt"));
        using var module = ScriptModule.Load(NpyTests.Fixture("kwargs_module.pt"));
        using var scope = DisposeScope.Enter();
        var x = Tensor.Zeros([2, 3]);
        Assert.Throws<ArgumentException>(() => module.Forward([x], new Dictionary<string, object> { ["scale"] = "two" }));
        var e = Assert.Throws<TorchException>(() => module.Forward([x], new Dictionary<string, object> { ["nonsense"] = true }));
        Assert.Contains("nonsense", e.Message);
    }

    [Fact]
    public void I3dInputIsStyleGanVsUint8Clip()
    {
        // Bytes → [-1, 1] (VideoClip.ToTensor) → the detector's uint8 input gives back the same bytes, frames 0..15.
        var clip = new BouncingShapes(new BouncingShapesOptions { Frames = 17 }).Generate(0, 1);
        using var scope = DisposeScope.Enter();
        var input = I3dFeatures.ToDetectorInput(clip.ToTensor().Unsqueeze(0));
        Assert.Equal(new long[] { 1, 3, 16, 32, 32 }, input.Shape);
        Assert.Equal(DType.UInt8, input.DType);
        var expected = Tensor.From(clip.Pixels, [17, 32, 32, 3]).Narrow(0, 0, 16).Permute(3, 0, 1, 2).Contiguous().ToArray<byte>();
        Assert.Equal(expected, input.ToArray<byte>());
        var grey = I3dFeatures.ToDetectorInput(Tensor.Zeros([2, 1, 16, 8, 8]));
        Assert.Equal(new long[] { 2, 3, 16, 8, 8 }, grey.Shape);
        Assert.Throws<ArgumentException>(() => I3dFeatures.ToDetectorInput(Tensor.Zeros([1, 3, 15, 8, 8])));
    }

    [Fact]
    public void I3dFeaturesWhenTheTorchScriptFileIsPresent()
    {
        var path = I3dFeatures.FindDefault();
        Assert.SkipUnless(path is not null, "i3d_torchscript.pt not found (set WORKBENCH_I3D or put it in ~/.cache/workbench/)");
        using var i3d = new I3dFeatures(path!);
        using var scope = DisposeScope.Enter();
        var clips = Tensor.Rand([2, 3, 16, 64, 64]) * 2 - 1;
        var features = i3d.Extract(clips);
        Assert.Equal(new long[] { 2, 400 }, features.Shape);
        Assert.True(features.IsFinite().All().Item<long>() == 1);
        // The same clip twice gives the same features (eval mode, deterministic).
        var again = i3d.Extract(clips);
        Assert.True(features.AllClose(again, 1e-4, 1e-4));
    }
}
