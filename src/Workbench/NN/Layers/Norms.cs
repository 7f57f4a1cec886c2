using Workbench.Torch;

namespace Workbench.NN;

/// <summary>Group normalisation of (N, C, ...) (torch.nn.GroupNorm).</summary>
public sealed class GroupNorm : Module
{
    public int Groups { get; }
    public int Channels { get; }
    public double Eps { get; }
    public Parameter? Weight { get; }
    public Parameter? Bias { get; }

    public GroupNorm(int groups, int channels, double eps = 1e-6, bool affine = true)
    {
        if (channels % groups != 0) throw new ArgumentException($"GroupNorm: {channels} channels do not split into {groups} groups");
        (Groups, Channels, Eps) = (groups, channels, eps);
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones([channels]));
            Bias = RegisterParameter("bias", Tensor.Zeros([channels]));
        }
    }

    public Tensor Forward(Tensor x) => F.GroupNorm(x, Groups, Weight, Bias, Eps);
    public override string Describe() => $"GroupNorm({Groups}, {Channels})";
}

/// <summary>Layer normalisation over the last dim (torch.nn.LayerNorm); affine = false for adaLN.</summary>
public sealed class LayerNorm : Module
{
    public int Dim { get; }
    public double Eps { get; }
    public Parameter? Weight { get; }
    public Parameter? Bias { get; }

    public LayerNorm(int dim, double eps = 1e-6, bool affine = true)
    {
        (Dim, Eps) = (dim, eps);
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones([dim]));
            Bias = RegisterParameter("bias", Tensor.Zeros([dim]));
        }
    }

    public Tensor Forward(Tensor x) => F.LayerNorm(x, [Dim], Weight, Bias, Eps);
    public override string Describe() => $"LayerNorm({Dim}{(Weight is null ? ", no affine" : "")})";
}

/// <summary>RMS normalisation over the last dim: x / √(mean(x²) + ε) · g (Zhang & Sennrich 2019); used for QK-norm.</summary>
public sealed class RMSNorm : Module
{
    public int Dim { get; }
    public double Eps { get; }
    public Parameter Weight { get; }

    public RMSNorm(int dim, double eps = 1e-6)
    {
        (Dim, Eps) = (dim, eps);
        Weight = RegisterParameter("weight", Tensor.Ones([dim]));
    }

    public Tensor Forward(Tensor x)
    {
        using var scope = DisposeScope.Enter();
        var rms = x.Square().Mean(-1, keepDim: true).Add(Eps).Rsqrt();
        return scope.Keep(x * rms * Weight);
    }

    public override string Describe() => $"RMSNorm({Dim})";
}
