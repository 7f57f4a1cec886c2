using Workbench.Torch;

namespace Workbench.NN;

/// <summary>
/// Weight initialisers (torch.nn.init). They draw from the global generator, or from the one a
/// <c>Generator.Use</c>/<c>Generator.Seeded</c> scope names (which is what the trainers build models in).
/// </summary>
public static class Init
{
    /// <summary>PyTorch's default for Linear and Conv: U(−1/√fan_in, 1/√fan_in) (kaiming_uniform with a = √5).</summary>
    public static Tensor DefaultUniform(long[] shape, long fanIn)
    {
        double bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
        return Tensor.Empty(shape).Uniform_(-bound, bound);
    }

    /// <summary>Xavier/Glorot uniform: U(−a, a) with a = gain·√(6 / (fan_in + fan_out)).</summary>
    public static Tensor XavierUniform(long[] shape, long fanIn, long fanOut, double gain = 1)
    {
        double a = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        return Tensor.Empty(shape).Uniform_(-a, a);
    }

    public static Tensor Normal(long[] shape, double std, double mean = 0) => Tensor.Empty(shape).Normal_(mean, std);
}
