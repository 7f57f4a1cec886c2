namespace Workbench.Tests;

public class SmokeTests
{
    [Theory]
    [MemberData(nameof(TestDevices.All), MemberType = typeof(TestDevices))]
    public void AddsOnEveryDevice(string device)
    {
        var d = TestDevices.Require(device);
        using var scope = DisposeScope.Enter();
        var a = Tensor.From(new float[] { 1, 2, 3 }, device: d);
        Assert.Equal(new float[] { 2, 4, 6 }, (a + a).Cpu().ToArray<float>());
    }
}
