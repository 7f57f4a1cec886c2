using Workbench.Torch;

namespace Workbench.NN;

/// <summary>y = x Wᵀ + b, over the last dim (torch.nn.Linear; weight (out, in)).</summary>
public sealed class Linear : Module
{
    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Parameter Weight { get; }
    public Parameter? Bias { get; }

    public Linear(int inFeatures, int outFeatures, bool bias = true)
    {
        (InFeatures, OutFeatures) = (inFeatures, outFeatures);
        Weight = RegisterParameter("weight", Init.DefaultUniform([outFeatures, inFeatures], inFeatures));
        if (bias) Bias = RegisterParameter("bias", Init.DefaultUniform([outFeatures], inFeatures));
    }

    public Tensor Forward(Tensor x)
    {
        if (x.Size(-1) != InFeatures)
            throw new ArgumentException($"Linear({InFeatures} → {OutFeatures}) got input of shape {Tensor.FormatShape(x.Shape)}: last dim should be {InFeatures}");
        return F.Linear(x, Weight, Bias);
    }

    public override string Describe() => $"Linear({InFeatures} → {OutFeatures}{(Bias is null ? ", no bias" : "")})";
}
