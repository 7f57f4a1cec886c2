using Workbench.NN;

namespace Workbench.Training.Tests;

/// <summary>
/// <see cref="UpdateStep.Update"/>: what its one read returns, and the NaN/∞ guard that stops a step before the
/// update, naming the step, the loss and the parameter whose gradient went wrong.
/// </summary>
public sealed class UpdateStepTests
{
    private sealed class ThreeParameters : Module
    {
        public ThreeParameters()
        {
            RegisterParameter("weight", Tensor.From(new float[] { 1, -2, 3, -4 }, [2, 2]));
            RegisterParameter("bias", Tensor.From(new float[] { 0.5f, -0.5f }, [2]));
            RegisterParameter("scale", Tensor.From(new float[] { 2 }, [1]));
        }
    }

    // Gradients with a known joint norm: √(1 + 4 + 4 + 16 + 9 + 16) = √50 before clipping.
    private static void SetGradients(ThreeParameters model, float badBias = 0.5f)
    {
        var p = model.Parameters().ToList();
        p[0].Grad = Tensor.From(new float[] { 1, -2, 2, -4 }, [2, 2]);
        p[1].Grad = Tensor.From(new float[] { 3, badBias == 0.5f ? -4 : badBias }, [2]);
        p[2].Grad = Tensor.From(new float[] { 0 }, [1]);
    }

    private static Dictionary<string, float[]> Weights(Module model) =>
        model.StateDict().ToDictionary(p => p.Name, p => p.Tensor.ToArray<float>());

    [Fact]
    public void OneReadReturnsTheLossTheNormBeforeClippingAndTheTerms()
    {
        using var scope = DisposeScope.Enter();
        using var model = new ThreeParameters();
        using var adam = new AdamW(model.NamedParameters(), lr: 0.1, weightDecay: 0);
        SetGradients(model);
        var values = UpdateStep.Update(model, adam, step: 3, Tensor.FromScalar(0.25), clipNorm: 1.0,
            terms: [Tensor.FromScalar(1.5f), Tensor.From(new double[] { -2 }, [1])]);
        Assert.Equal(0.25, values.Loss, 12);
        Assert.Equal(Math.Sqrt(50), values.GradNorm, 5);
        Assert.Equal([1.5, -2.0], values.Terms);
        Assert.Equal(1, adam.StepCount);
        Assert.All(model.Parameters(), p => Assert.Null(p.Grad));
        // AdamW's first step moves each weight by lr·sign(g) (the scale's zero gradient leaves it): clipping kept the signs.
        var w = Weights(model);
        Assert.Equal(new[] { 0.9f, -1.9f, 2.9f, -3.9f }, w["weight"].Select(x => MathF.Round(x, 5)));
        Assert.Equal(new[] { 0.4f, -0.4f }, w["bias"].Select(x => MathF.Round(x, 5)));
        Assert.Equal([2f], w["scale"]);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void ANonFiniteGradientNamesItsParameterAndLeavesTheWeights(float bad) =>
        AssertStopsBeforeTheUpdate(bad, step: 41, loss: 0.75, kept: "checkpoint 40 is kept",
            $"training diverged at step 41: the gradient of bias is not finite (loss {0.75}); checkpoint 40 is kept");

    [Fact]
    public void ANonFiniteLossIsReportedBeforeTheGradientsItPoisoned() =>
        AssertStopsBeforeTheUpdate(float.NaN, step: 2, loss: double.PositiveInfinity, kept: "",
            $"training diverged at step 2: loss is {double.PositiveInfinity}");

    private static void AssertStopsBeforeTheUpdate(float badBias, long step, double loss, string kept, string message)
    {
        using var scope = DisposeScope.Enter();
        using var model = new ThreeParameters();
        using var adam = new AdamW(model.NamedParameters(), lr: 0.1);
        var before = Weights(model);
        SetGradients(model, badBias);
        var e = Assert.Throws<InvalidOperationException>(() => UpdateStep.Update(model, adam, step, Tensor.FromScalar(loss), kept: kept));
        Assert.Equal(message, e.Message);
        Assert.Equal(0, adam.StepCount);
        foreach (var (name, values) in Weights(model)) Assert.Equal(before[name], values);
    }

    [Fact]
    public void ApplyBackPropagatesAndStepsLikeBackwardThenUpdate()
    {
        using var scope = DisposeScope.Enter();
        using var model = new ThreeParameters();
        using var adam = new AdamW(model.NamedParameters(), lr: 0.1, weightDecay: 0);
        var p = model.Parameters().ToList();
        var loss = (p[0].Value.Square().Sum() + p[1].Value.Sum()) * 0.5;            // ∂/∂weight = weight, ∂/∂bias = 0.5
        double expectedNorm = Math.Sqrt(1 + 4 + 9 + 16 + 0.25 + 0.25);
        var (value, norm) = UpdateStep.Apply(loss, model, adam, step: 0, clipNorm: 100);
        Assert.Equal(0.5 * 30, value, 5);
        Assert.Equal(expectedNorm, norm, 5);
        Assert.Null(p[2].Grad);                                                      // unused: no gradient, not stepped
        Assert.Equal([2f], Weights(model)["scale"]);
    }
}
