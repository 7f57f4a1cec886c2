using Workbench.Diffusion;

namespace Workbench.Tests;

/// <summary>
/// The sampler's NaN/∞ guard inside <see cref="Sampler.Sample"/>: checked on the device, read every
/// <see cref="Sampler.FiniteCheckInterval"/> steps, and still naming the first step whose model output went wrong.
/// </summary>
public class SamplerCheckTests
{
    // A constant velocity, except that model call number `badCall` (1-based) returns NaN in one row (5 elements).
    private static DiffusionModel Model(int badCall)
    {
        int calls = 0;
        return (x, t) =>
        {
            var v = Tensor.OnesLike(x) * 0.5;
            if (++calls == badCall) v.Narrow(0, 1, 1).Fill_(double.NaN);
            return v;
        };
    }

    [Theory]
    [InlineData("cpu", 1, 3)]   // read every step: steps 0-2 are yielded, the failing step 3 is not
    [InlineData("cpu", 3, 5)]   // read after steps 2, 5, 8 and 9: steps 0-4 are yielded before the read after step 5
    [InlineData("cpu", 20, 9)]  // read once, after the last step
    [InlineData("cuda", 3, 5)]
    public void TheFirstBadStepIsNamedWhenTheChecksAreRead(string device, int interval, int yieldedBeforeTheError)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var sampler = new EulerSampler(new RectifiedFlowObjective()) { FiniteCheckInterval = interval };
        int yielded = 0;
        var e = Assert.Throws<SamplingException>(() =>
        {
            foreach (var step in sampler.Sample(Model(badCall: 4), Tensor.Zeros([3, 5], device: d), 10))
            {
                step.Dispose();
                yielded++;
            }
        });
        Assert.Equal(3, e.Step);
        Assert.Equal(1 - 3 / 10.0, e.T, 12);
        Assert.Contains("(5 NaN of 15)", e.Message);
        Assert.Equal(yieldedBeforeTheError, yielded);
    }

    [Fact]
    public void AStepCalledDirectlyChecksAtOnce()
    {
        using var scope = DisposeScope.Enter();
        var sampler = new EulerSampler(new RectifiedFlowObjective());
        sampler.SetTimesteps(4);
        var e = Assert.Throws<SamplingException>(() => sampler.Step(Model(badCall: 1), Tensor.Zeros([3, 5]), 0));
        Assert.Equal(0, e.Step);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => sampler.FiniteCheckInterval = 0).ParamName);
    }
}
