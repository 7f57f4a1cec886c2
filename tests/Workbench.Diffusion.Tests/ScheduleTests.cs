namespace Workbench.Diffusion.Tests;

/// <summary>Noise schedules against their closed forms, computed here by hand.</summary>
public class ScheduleTests
{
    // DDPM's linear schedule: β_i = 1e-4 + i·(0.02 − 1e-4)/999, ᾱ_t = Π_{i ≤ t} (1 − β_i).
    private static double LinearAlphaBar(int t)
    {
        double product = 1;
        for (int i = 0; i <= t; i++) product *= 1 - (1e-4 + i * (0.02 - 1e-4) / 999);
        return product;
    }

    // Nichol & Dhariwal 2021, eq. 17: ᾱ at index t (the paper's step t + 1) is f((t + 1)/T)/f(0).
    private static double CosineAlphaBar(int t, int total = 1000, double s = 0.008)
    {
        double F(double u) => Math.Pow(Math.Cos((u + s) / (1 + s) * Math.PI / 2), 2);
        return F((t + 1.0) / total) / F(0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(250)]
    [InlineData(500)]
    [InlineData(999)]
    public void LinearScheduleMatchesTheProductOfOneMinusBeta(int t)
    {
        var schedule = NoiseSchedule.Linear();
        Assert.Equal(1000, schedule.Length);
        Assert.Equal(LinearAlphaBar(t), schedule.AlphaBar[t], 1e-12);
    }

    [Fact]
    public void LinearScheduleEndsNearPureNoise()
    {
        // Σβ ≈ 10.05 and Σβ²/2 ≈ 0.067, so ᾱ_T ≈ e^{−10.12} ≈ 4.0e-5 (√ᾱ_T ≈ 0.0064, the value Lin et al. quote).
        var alphaBar = NoiseSchedule.Linear().AlphaBar[999];
        Assert.InRange(alphaBar, 3.9e-5, 4.2e-5);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(500)]
    [InlineData(900)]
    [InlineData(998)]
    public void CosineScheduleMatchesNicholDhariwal(int t)
    {
        var schedule = NoiseSchedule.Cosine();
        Assert.Equal(CosineAlphaBar(t), schedule.AlphaBar[t], 1e-10);
    }

    [Fact]
    public void CosineScheduleClipsTheLastBeta()
    {
        // f(1) = 0, so β_{T−1} would be 1; it is clipped to 0.999 and ᾱ_{T−1} = 0.001·ᾱ_{T−2}.
        var schedule = NoiseSchedule.Cosine();
        Assert.Equal(0.999, schedule.Betas()[999], 1e-9);
        Assert.Equal(0.001 * CosineAlphaBar(998), schedule.AlphaBar[999], 1e-15);
        Assert.True(schedule.Betas().All(b => b <= 0.999 + 1e-12));
    }

    [Theory]
    [InlineData(ScheduleKind.Linear)]
    [InlineData(ScheduleKind.Cosine)]
    public void SchedulesDecreaseMonotonically(ScheduleKind kind)
    {
        var alphaBar = new NoiseScheduleConfig(kind).Build().AlphaBar;
        for (int t = 1; t < alphaBar.Count; t++) Assert.True(alphaBar[t] < alphaBar[t - 1], $"ᾱ[{t}] = {alphaBar[t]} ≥ ᾱ[{t - 1}]");
    }

    [Theory]
    [InlineData(ScheduleKind.Linear)]
    [InlineData(ScheduleKind.Cosine)]
    public void ZeroTerminalSnrEndsAtExactlyZeroAndKeepsTheFirstStep(ScheduleKind kind)
    {
        var original = new NoiseScheduleConfig(kind).Build();
        var rescaled = new NoiseScheduleConfig(kind, ZeroTerminalSnr: true).Build();
        Assert.Equal(0.0, rescaled.AlphaBar[999]);                            // exactly
        Assert.Equal(original.AlphaBar[0], rescaled.AlphaBar[0], 1e-14);
        Assert.Equal(1.0, rescaled.Betas()[999]);

        // Lin et al. 2023, Algorithm 1, by hand: √ᾱ' = (√ᾱ − √ᾱ_T)·√ᾱ_0/(√ᾱ_0 − √ᾱ_T).
        double first = Math.Sqrt(original.AlphaBar[0]), last = Math.Sqrt(original.AlphaBar[999]);
        foreach (int t in new[] { 1, 300, 700, 998 })
        {
            double expected = Math.Pow((Math.Sqrt(original.AlphaBar[t]) - last) * first / (first - last), 2);
            Assert.Equal(expected, rescaled.AlphaBar[t], 1e-14);
        }
    }

    [Fact]
    public void BadScheduleArgumentsNameTheArgument()
    {
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() => NoiseSchedule.Linear(0)).ParamName);
        Assert.Equal("betaStart", Assert.Throws<ArgumentOutOfRangeException>(() => NoiseSchedule.Linear(10, 0.1, 0.01)).ParamName);
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() => NoiseSchedule.Cosine(-1)).ParamName);
        Assert.Equal("betas", Assert.Throws<ArgumentOutOfRangeException>(() => NoiseSchedule.FromBetas([0.1, 1.5])).ParamName);
    }
}
