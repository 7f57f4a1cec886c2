using Workbench.Torch;

namespace Workbench.NN;

/// <summary>2-D convolution over (N, C, H, W) (torch.nn.Conv2d).</summary>
public sealed class Conv2d : Module
{
    public int InChannels { get; }
    public int OutChannels { get; }
    public (long H, long W) Kernel { get; }
    public (long H, long W) Stride { get; }
    public (long H, long W) Padding { get; }
    public Parameter Weight { get; }
    public Parameter? Bias { get; }

    public Conv2d(int inChannels, int outChannels, (long H, long W) kernel, (long H, long W)? stride = null, (long H, long W)? padding = null, bool bias = true)
    {
        (InChannels, OutChannels, Kernel, Stride, Padding) = (inChannels, outChannels, kernel, stride ?? (1, 1), padding ?? (0, 0));
        long fanIn = inChannels * kernel.H * kernel.W;
        Weight = RegisterParameter("weight", Init.DefaultUniform([outChannels, inChannels, kernel.H, kernel.W], fanIn));
        if (bias) Bias = RegisterParameter("bias", Init.DefaultUniform([outChannels], fanIn));
    }

    public Tensor Forward(Tensor x)
    {
        if (x.Rank != 4 || x.Size(1) != InChannels)
            throw new ArgumentException($"{Describe()} expects (N, {InChannels}, H, W), got {Tensor.FormatShape(x.Shape)}");
        return F.Conv2d(x, Weight, Bias, Stride, Padding);
    }

    public override string Describe() => $"Conv2d({InChannels} → {OutChannels}, k={Kernel}, s={Stride})";
}

/// <summary>3-D convolution over (N, C, T, H, W) (torch.nn.Conv3d).</summary>
public sealed class Conv3d : Module
{
    public int InChannels { get; }
    public int OutChannels { get; }
    public (long T, long H, long W) Kernel { get; }
    public (long T, long H, long W) Stride { get; }
    public (long T, long H, long W) Padding { get; }
    public Parameter Weight { get; }
    public Parameter? Bias { get; }

    public Conv3d(int inChannels, int outChannels, (long T, long H, long W) kernel, (long T, long H, long W)? stride = null,
        (long T, long H, long W)? padding = null, bool bias = true)
    {
        (InChannels, OutChannels, Kernel, Stride, Padding) = (inChannels, outChannels, kernel, stride ?? (1, 1, 1), padding ?? (0, 0, 0));
        long fanIn = inChannels * kernel.T * kernel.H * kernel.W;
        Weight = RegisterParameter("weight", Init.DefaultUniform([outChannels, inChannels, kernel.T, kernel.H, kernel.W], fanIn));
        if (bias) Bias = RegisterParameter("bias", Init.DefaultUniform([outChannels], fanIn));
    }

    public Tensor Forward(Tensor x)
    {
        if (x.Rank != 5 || x.Size(1) != InChannels)
            throw new ArgumentException($"{Describe()} expects (N, {InChannels}, T, H, W), got {Tensor.FormatShape(x.Shape)}");
        return F.Conv3d(x, Weight, Bias, Stride, Padding);
    }

    public override string Describe() => $"Conv3d({InChannels} → {OutChannels}, k={Kernel}, s={Stride})";
}

/// <summary>
/// A 3-D convolution that is causal in time: it pads k_t − 1 past frames (copies of the first frame) and
/// none in the future, so output frame t depends only on input frames ≤ t, and a one-frame clip (an image)
/// is processed on its own. Space is padded symmetrically ("same" for odd kernels). Parameters are those
/// of the inner <c>conv</c> (state-dict keys <c>conv.weight</c>, <c>conv.bias</c>, as in CogVideoX).
/// </summary>
public sealed class CausalConv3d : Module
{
    private readonly Conv3d _conv;
    public (long T, long H, long W) Kernel { get; }

    public CausalConv3d(int inChannels, int outChannels, (long T, long H, long W) kernel, (long T, long H, long W)? stride = null, bool bias = true)
    {
        Kernel = kernel;
        _conv = RegisterModule("conv", new Conv3d(inChannels, outChannels, kernel, stride, padding: (0, kernel.H / 2, kernel.W / 2), bias: bias));
    }

    public Conv3d Conv => _conv;

    public Tensor Forward(Tensor x)
    {
        if (x.Rank != 5) throw new ArgumentException($"{Describe()} expects (N, C, T, H, W), got {Tensor.FormatShape(x.Shape)}");
        if (Kernel.T == 1) return _conv.Forward(x);
        using var scope = DisposeScope.Enter();
        var padded = x.Pad([0, 0, 0, 0, Kernel.T - 1, 0], PadMode.Replicate); // (N, C, T + k_t − 1, H, W)
        return scope.Keep(_conv.Forward(padded));
    }

    public override string Describe() => $"CausalConv3d({_conv.InChannels} → {_conv.OutChannels}, k={Kernel}, s={_conv.Stride})";
}
