namespace Workbench.Models.Tests;

public class VaeTests
{
    private static CausalVideoVae Small()
    {
        Workbench.Torch.Torch.ManualSeed(0);
        return new CausalVideoVae(VaeConfig.Tiny with { Channels = [8, 16, 16] });
    }

    [Theory]
    [InlineData(1, 8, 8)]
    [InlineData(5, 8, 16)]
    [InlineData(9, 16, 8)]
    [InlineData(17, 32, 32)]
    public void EncodeAndDecodeShapesFollowTheCompressionFactors(int frames, int height, int width)
    {
        using var vae = Small();
        using var scope = DisposeScope.Enter();
        var video = Tensor.Randn([2, 3, frames, height, width]);
        var (mean, logVar) = vae.Encode(video);
        var (c, t, h, w) = vae.LatentShape(frames, height, width);
        Assert.Equal(new[] { 2, c, t, h, w }, mean.Shape);
        Assert.Equal(mean.Shape, logVar.Shape);
        Assert.Equal(1 + (frames - 1) / 4, t);
        Assert.Equal(video.Shape, vae.Decode(mean).Shape);
    }

    [Fact]
    public void WithoutAPatchTheLevelsDoAllTheDownsampling()
    {
        Workbench.Torch.Torch.ManualSeed(0);
        using var vae = new CausalVideoVae(VaeConfig.Tiny with { PatchSize = 1, Channels = [8, 16, 16] });
        using var scope = DisposeScope.Enter();
        var video = Tensor.Randn([1, 3, 9, 16, 16]);
        var (mean, _) = vae.Encode(video);
        Assert.Equal(new long[] { 1, 4, 3, 4, 4 }, mean.Shape);
        Assert.Equal(video.Shape, vae.Decode(mean).Shape);
    }

    [Fact]
    public void PatchifyPutsEachPatchPixelInItsOwnChannel()
    {
        using var scope = DisposeScope.Enter();
        const int p = 2;
        var x = Tensor.Randn([2, 3, 3, 4, 6]);
        var patches = CausalVideoVae.Patchify(x, p);
        Assert.Equal(new long[] { 2, 12, 3, 2, 3 }, patches.Shape);
        var input = x.ToArray<float>();
        var output = patches.ToArray<float>();
        // Element-wise definition: out[b, c·p² + i·p + j, t, y, x] = in[b, c, t, p·y + i, p·x + j].
        for (int b = 0; b < 2; b++)
        for (int c = 0; c < 3; c++)
        for (int i = 0; i < p; i++)
        for (int j = 0; j < p; j++)
        for (int t = 0; t < 3; t++)
        for (int y = 0; y < 2; y++)
        for (int xx = 0; xx < 3; xx++)
        {
            int outIndex = (((b * 12 + c * 4 + i * 2 + j) * 3 + t) * 2 + y) * 3 + xx;
            int inIndex = (((b * 3 + c) * 3 + t) * 4 + (p * y + i)) * 6 + (p * xx + j);
            Assert.Equal(input[inIndex], output[outIndex]);
        }
        Assert.Equal(input, CausalVideoVae.Unpatchify(patches, p).ToArray<float>());
    }

    [Fact]
    public void AClipOfTheWrongLengthIsRejectedWithTheRule()
    {
        using var vae = Small();
        using var scope = DisposeScope.Enter();
        var e = Assert.Throws<ArgumentException>(() => vae.Encode(Tensor.Zeros([1, 3, 6, 8, 8])));
        Assert.Contains("T = 1 + k·4", e.Message);
        Assert.Contains("T=6", e.Message);
    }

    [Fact]
    public void TheEncoderAndDecoderNeverSeeTheFuture()
    {
        using var vae = Small();
        vae.Eval();
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var video = Tensor.Randn([1, 3, 9, 8, 8]);
        var changed = video.Clone();
        changed[.., .., 5].Copy_(Tensor.Randn([1, 3, 8, 8])); // perturb input frame 5 (latent frame 2 covers inputs 5..8)
        var (a, _) = vae.Encode(video);
        var (b, _) = vae.Encode(changed);
        // Latent frames 0 and 1 depend only on input frames 0..4.
        Assert.True(a[.., .., ..2].AllClose(b[.., .., ..2], 0, 0));
        Assert.False(a[.., .., 2].AllClose(b[.., .., 2], 1e-3, 1e-3));
        // Decoding: perturbing latent frame 1 leaves output frame 0 (from latent frame 0 alone) unchanged.
        var z = Tensor.Randn([1, 4, 3, 2, 2]);
        var z2 = z.Clone();
        z2[.., .., 1].Copy_(Tensor.Randn([1, 4, 2, 2]));
        var x = vae.Decode(z);
        var x2 = vae.Decode(z2);
        Assert.True(x[.., .., 0].AllClose(x2[.., .., 0], 0, 0));
        Assert.False(x[.., .., 1].AllClose(x2[.., .., 1], 1e-3, 1e-3));
    }

    [Fact]
    public void GradientsReachEveryParameter()
    {
        using var vae = Small();
        using var scope = DisposeScope.Enter();
        var (loss, _, _, _) = vae.Loss(Tensor.Randn([1, 3, 5, 8, 8]));
        loss.Backward();
        foreach (var (name, p) in vae.NamedParameters())
        {
            var g = p.Grad;
            Assert.True(g is not null, $"{name} got no gradient");
            Assert.True(g!.Abs().Sum().Item<double>() > 0, $"{name} has an all-zero gradient");
        }
    }

    [Fact]
    public void AStateDictSavedAndLoadedGivesIdenticalOutputs()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vae-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var vae = Small();
            using var scope = DisposeScope.Enter();
            var video = Tensor.Randn([1, 3, 5, 8, 8]);
            vae.SetLatentStatistics(Tensor.Randn([4, 4, 2, 2, 2]) * 3 + 1);
            vae.Save(path);
            Workbench.Torch.Torch.ManualSeed(123);
            using var other = new CausalVideoVae(vae.Config with { });
            other.Load(path);
            Assert.True(vae.Encode(video).Mean.AllClose(other.Encode(video).Mean, 0, 0));
            Assert.True(vae.LatentStd.AllClose(other.LatentStd, 0, 0));
            Assert.Contains("encoder_in.conv.weight", vae.StateDict().Select(s => s.Name));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void KlDivergenceMatchesTheClosedFormForAKnownGaussian()
    {
        using var scope = DisposeScope.Enter();
        // KL(N(μ, σ²) ‖ N(0, 1)) = ½(μ² + σ² − ln σ² − 1): for μ = 1, σ² = e: ½(1 + e − 1 − 1) = (e − 1)/2 per element.
        var mean = Tensor.Ones([2, 1, 1, 1, 3]);
        var logVar = Tensor.Ones([2, 1, 1, 1, 3]);
        double expected = 3 * (Math.E - 1) / 2;
        Assert.Equal(expected, CausalVideoVae.KlDivergence(mean, logVar).Item<double>(), 5);
    }

    [Fact]
    public void NormalizedLatentsHaveUnitStatistics()
    {
        using var vae = Small();
        using var scope = DisposeScope.Enter();
        var z = Tensor.Randn([64, 4, 2, 3, 3]) * Tensor.From(new float[] { 1, 2, 3, 4 }, [1, 4, 1, 1, 1]) + 5;
        vae.SetLatentStatistics(z);
        var n = vae.Normalize(z);
        var dims = new long[] { 0, 2, 3, 4 };
        Assert.True(n.Mean(dims).Abs().Max().Item<double>() < 1e-4);
        Assert.True((n.Std(dims) - 1).Abs().Max().Item<double>() < 1e-4);
        Assert.True(vae.Denormalize(n).AllClose(z, 1e-4, 1e-4));
    }
}
