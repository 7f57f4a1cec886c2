namespace Workbench.Tests;

/// <summary>Random numbers. Tests that seed or draw from the global generator run alone (it is process-wide).</summary>
[Collection(SerialCollection.Name)]
public class RandomTests
{
    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void TheSameGlobalSeedGivesTheSameTensors(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        double[] Draw()
        {
            LibTorch.ManualSeed(1234);
            return [.. Expect.Values(Tensor.Randn([50], device: d)), .. Expect.Values(Tensor.Rand([20], device: d)),
                    .. Expect.Values(Tensor.Randint(0, 100, [10], device: d)), .. Expect.Values(Tensor.Randperm(10, d))];
        }
        var first = Draw();
        Assert.Equal(first, Draw());
        LibTorch.ManualSeed(4321);
        Assert.NotEqual(first[..50], Expect.Values(Tensor.Randn([50], device: d)));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AGeneratorsSeedFixesItsStream(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        using var g1 = new Generator(7, d);
        using var g2 = new Generator(7, d);
        using var g3 = new Generator(8, d);
        var a = Expect.Values(Tensor.Randn([4, 5], device: d, generator: g1));
        Assert.Equal(a, Expect.Values(Tensor.Randn([4, 5], device: d, generator: g2)));
        Assert.NotEqual(a, Expect.Values(Tensor.Randn([4, 5], device: d, generator: g3)));
        Assert.Equal(7UL, g1.Seed);
        Assert.Equal(d, g1.Device);
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AGeneratorIsIndependentOfTheGlobalOne(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        using var quiet = new Generator(99, d);
        var first = Expect.Values(Tensor.Randn([8], device: d, generator: quiet));
        var second = Expect.Values(Tensor.Randn([8], device: d, generator: quiet));

        using var busy = new Generator(99, d);
        Assert.Equal(first, Expect.Values(Tensor.Randn([8], device: d, generator: busy)));
        LibTorch.ManualSeed(5);
        Tensor.Randn([100], device: d); // draws from the global generator in between...
        Tensor.Rand([100], device: d);
        Assert.Equal(second, Expect.Values(Tensor.Randn([8], device: d, generator: busy))); // ...leave the generator's stream alone

        // and drawing from a generator leaves the global stream alone
        LibTorch.ManualSeed(5);
        var global = Expect.Values(Tensor.Randn([8], device: d));
        LibTorch.ManualSeed(5);
        Tensor.Randn([100], device: d, generator: busy);
        Assert.Equal(global, Expect.Values(Tensor.Randn([8], device: d)));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void GeneratorStateCanBeSavedAndRestored(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        using var g = new Generator(2024, d);
        Tensor.Rand([10], device: d, generator: g);
        var state = g.GetState();
        Assert.Equal(DType.UInt8, state.DType);
        var next = Expect.Values(Tensor.Randn([16], device: d, generator: g));
        var after = Expect.Values(Tensor.Randn([16], device: d, generator: g));

        g.SetState(state);
        Assert.Equal(next, Expect.Values(Tensor.Randn([16], device: d, generator: g)));

        using var other = new Generator(1, d); // a state moves between generators too
        other.SetState(state);
        Assert.Equal(next, Expect.Values(Tensor.Randn([16], device: d, generator: other)));
        Assert.Equal(after, Expect.Values(Tensor.Randn([16], device: d, generator: other)));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void ReseedingAGeneratorRestartsItsStream(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        using var g = new Generator(3, d);
        var a = Expect.Values(Tensor.Rand([6], device: d, generator: g));
        Assert.Same(g, g.ManualSeed(3));
        Assert.Equal(a, Expect.Values(Tensor.Rand([6], device: d, generator: g)));
        g.ManualSeed(4);
        Assert.Equal(4UL, g.Seed);
        Assert.NotEqual(a, Expect.Values(Tensor.Rand([6], device: d, generator: g)));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void InPlaceFillsAndSamplersFollowTheirGenerator(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        double[] Draw(ulong seed)
        {
            using var g = new Generator(seed, d);
            var probs = Tensor.Full([12], 0.5, device: d);
            var weights = Tensor.From(new float[] { 1, 2, 3, 4 }, device: d);
            return [.. Expect.Values(Tensor.Empty([5], device: d).Normal_(2, 3, g)), .. Expect.Values(Tensor.Empty([5], device: d).Uniform_(-1, 1, g)),
                    .. Expect.Values(probs.Bernoulli(g)), .. Expect.Values(weights.Multinomial(3, generator: g))];
        }
        Assert.Equal(Draw(11), Draw(11));
        Assert.NotEqual(Draw(11), Draw(12));
    }

    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void SamplesStayInTheirRangesAndHaveTheirMoments(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        using var g = new Generator(31337, d);
        const int n = 20000;

        var u = Expect.Values(Tensor.Rand([n], device: d, generator: g));
        Assert.All(u, v => Assert.InRange(v, 0, 1 - 1e-12));
        Assert.InRange(u.Average(), 0.5 - 0.01, 0.5 + 0.01); // sd of the mean ≈ 0.002

        var z = Expect.Values(Tensor.Randn([n], device: d, generator: g));
        double mean = z.Average(), var = z.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.04, 0.04);   // sd of the mean ≈ 0.007
        Assert.InRange(var, 0.95, 1.05);     // sd of the variance ≈ 0.01

        var normal = Expect.Values(Tensor.Empty([n], DType.Float64, d).Normal_(5, 2, g));
        Assert.InRange(normal.Average(), 5 - 0.1, 5 + 0.1);

        var ints = Expect.Values(Tensor.Randint(-3, 4, [n], device: d, generator: g));
        Assert.All(ints, v => Assert.InRange(v, -3, 3));
        Assert.Equal(7, ints.Distinct().Count());

        var perm = Expect.Values(Tensor.Randperm(50, d, g));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (double)i), perm.OrderBy(v => v));

        var coin = Expect.Values(Tensor.Full([n], 0.25, DType.Float32, d).Bernoulli(g));
        Assert.All(coin, v => Assert.True(v is 0 or 1));
        Assert.InRange(coin.Average(), 0.25 - 0.02, 0.25 + 0.02);
    }

    [Fact]
    public void MultinomialWithoutReplacementNeverRepeatsAndSkipsZeroWeights()
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(5);
        var weights = Tensor.From(new float[] { 1, 0, 2, 3, 0, 4 });
        for (int i = 0; i < 20; i++)
        {
            var picks = weights.Multinomial(4, generator: g).ToArray<long>();
            Assert.Equal(4, picks.Distinct().Count());
            Assert.DoesNotContain(1L, picks);
            Assert.DoesNotContain(4L, picks);
        }
    }

    [Fact]
    public void ADisposedGeneratorCannotBeUsed()
    {
        var g = new Generator(1);
        g.Dispose();
        g.Dispose(); // twice is fine
        Assert.Throws<ObjectDisposedException>(() => Tensor.Randn([2], generator: g));
        Assert.Throws<ObjectDisposedException>(() => g.GetState());
    }

    [Fact]
    public void DrawsInsideUseComeFromItsGeneratorWhateverOtherThreadsDraw()
    {
        using var scope = DisposeScope.Enter();
        using var reference = new Generator(11);
        var expected = Expect.Values(Tensor.Randn([1000], generator: reference)).Concat(Expect.Values(Tensor.Empty([300]).Uniform_(-1, 1, reference))).ToArray();

        // Another thread keeps drawing from the global generator all the while.
        using var stop = new CancellationTokenSource();
        var noise = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested) { using var s = DisposeScope.Enter(); Tensor.Randn([64]); }
        });
        using var ambient = new Generator(11);
        double[] drawn;
        using (Generator.Use(ambient))
            drawn = Expect.Values(Tensor.Randn([1000])).Concat(Expect.Values(Tensor.Empty([300]).Uniform_(-1, 1))).ToArray();
        stop.Cancel();
        noise.Wait();
        Assert.Equal(expected, drawn);

        // Outside the scope, draws come from the global generator again.
        LibTorch.ManualSeed(11);
        var global = Expect.Values(Tensor.Randn([5]));
        LibTorch.ManualSeed(11);
        using (var other = new Generator(12)) using (Generator.Use(other)) { }
        Assert.Equal(global, Expect.Values(Tensor.Randn([5])));
        // Seeded draws what seeding the global generator and then drawing would.
        Assert.Equal(global, Generator.Seeded(11, () => Expect.Values(Tensor.Randn([5]))));
    }
}
