namespace Workbench.Extensions.Tests;

/// <summary>Tensors become the same pictures and views as the equivalent plain data.</summary>
public sealed class TensorImagesTests
{
    [Fact]
    public void PixelsMapLinearlyFromMinusOneToOne()
    {
        using var scope = DisposeScope.Enter();
        var video = Tensor.From(new float[] { -1, 0, 1, 2, -3, 0.5f }, [1, 1, 2, 3]);      // (C, T, H, W)
        var clip = TensorImages.ToClip(video);
        Assert.Equal((1, 2, 3, 1), (clip.Frames, clip.Height, clip.Width, clip.Channels));
        Assert.Equal(new byte[] { 0, 128, 255, 255, 0, 191 }, clip.Pixels);              // 127.5 and 191.25 round to 128, 191
    }

    [Fact]
    public void ChannelsBecomeInterleavedRgb()
    {
        using var scope = DisposeScope.Enter();
        var image = Tensor.From(new float[] { 1, 1, -1, -1, -1, 1 }, [3, 1, 2]);           // R = 1 1, G = -1 -1, B = -1 1
        var picture = TensorImages.ToImage(image, TensorImages.PixelRange);
        Assert.Equal(new byte[] { 255, 0, 0, 255, 0, 255 }, picture.Pixels);
    }

    [Fact]
    public void WrongShapesAreNamed()
    {
        using var scope = DisposeScope.Enter();
        var e = Assert.Throws<ArgumentException>(() => TensorImages.ToClip(Tensor.Zeros([4, 2, 8, 8])));
        Assert.Contains("[4, 2, 8, 8]", e.Message);
        Assert.Contains("LatentChannels", Assert.Throws<ArgumentException>(() => ImageGrid.FromTensor(Tensor.Zeros([2, 4, 8, 8]))).Message);
    }

    [Fact]
    public void LatentViewsFromTensorsEqualTheirPlainDataViews()
    {
        var values = Samples.LatentValues(2, 3, 2, 3);
        using var scope = DisposeScope.Enter();
        var latent = Tensor.From(values, [1, 2, 3, 2, 3]);
        Assert.Equal(Snapshot.Normalize(new LatentChannels(values, 2, 3, 2, 3).ToHtml(HtmlOptions.Referenced)),
                     Snapshot.Normalize(new LatentChannels(latent).ToHtml(HtmlOptions.Referenced)));
        Assert.Equal(Snapshot.Normalize(new LatentLoaf(values.AsSpan(6 * 3 * 1, 18).ToArray(), 3, 2, 3, (1, 2, 2), "channel 1").ToHtml(HtmlOptions.Referenced)),
                     Snapshot.Normalize(new LatentLoaf(latent, (1, 2, 2), channel: 1).ToHtml(HtmlOptions.Referenced)));
    }

    [Fact]
    public void TheLoafColoursByTheNormOverChannels()
    {
        using var scope = DisposeScope.Enter();
        var latent = Tensor.From(new float[] { 3, 0, 4, 1 }, [2, 1, 1, 2]);               // two channels, two positions
        var loaf = new LatentLoaf(latent, (1, 1, 1));
        Assert.Contains("\"color\":[5,1]", loaf.ToHtml(HtmlOptions.Referenced));           // √(3² + 4²), √(0² + 1²)
        Assert.EndsWith("1×1×2 = 2 tokens", loaf.ToFigure().Layout.Title!.Text);
    }

    [Fact]
    public void AClipPlayerFromATensorHasItsFrames()
    {
        using var scope = DisposeScope.Enter();
        var player = ClipPlayer.FromTensor(Tensor.Zeros([3, 5, 4, 4]), "zeros");
        Assert.Equal(5, player.Frames);
        var html = player.ToHtml(HtmlOptions.Referenced);
        Assert.Equal(5, System.Text.RegularExpressions.Regex.Matches(html, "data:image/png;base64,").Count);
        Assert.Contains("data-frames=\"5\"", html);
    }

    [Fact]
    public void ADenoisingViewRecordsEveryNthStepOfATraceAndTheLast()
    {
        var steps = new List<Workbench.Diffusion.SampleStep>();
        for (int i = 0; i < 5; i++)
        {
            var x = Tensor.Full([1, 4, 2, 4, 4], -1 + i * 0.5);                             // 4 channels: a latent
            var x0 = Tensor.Full([1, 4, 2, 4, 4], 1.0);
            steps.Add(new Workbench.Diffusion.SampleStep(i, 5, 1 - i * 0.2, 1 - (i + 1) * 0.2, x, x0, i + 1, 0, i == 4));
        }
        var view = DenoisingView.FromTrace(steps, new DenoisingOptions { Every = 2, NoiseLevel = t => t * t, NoiseLabel = "σ²" });
        Assert.Equal([0, 2, 4], view.Frames.Select(f => f.Step));
        Assert.Equal("σ²", view.NoiseLabel);
        var last = view.Frames[^1];
        Assert.Equal(0.2 * 0.2, last.NoiseLevel, 12);
        Assert.Equal((4, 8, 3), (last.Xt.Height, last.Xt.Width, last.Xt.Channels));          // two 4 × 4 frames side by side, first 3 channels
        Assert.All(last.Xt.Pixels, p => Assert.Equal(255, p));                                // x = 1 after the last step
        Assert.All(view.Frames[0].Xt.Pixels, p => Assert.Equal(0, p));                        // x = -1
        Assert.All(steps, s => Assert.True(s.X.IsDisposed && s.PredictedX0.IsDisposed));     // consumed and freed
        Assert.Equal(1 + 3, System.Text.RegularExpressions.Regex.Matches(view.ToHtml(HtmlOptions.Referenced), "\"name\":\"x_t\"").Count);
    }
}
