namespace Workbench.Tests;

/// <summary>
/// The devices tests run on: always the CPU, plus cuda:0 when a GPU is present. Set
/// WORKBENCH_TEST_DEVICE=cuda to run the device-parametrised tests on the GPU only.
/// </summary>
public static class TestDevices
{
    public static bool HasCuda => Workbench.Torch.Torch.Cuda.IsAvailable;

    public static TheoryData<string> All
    {
        get
        {
            var data = new TheoryData<string>();
            var only = Environment.GetEnvironmentVariable("WORKBENCH_TEST_DEVICE");
            if (only is null || only == "cpu") data.Add("cpu");
            if (only is null || only.StartsWith("cuda")) data.Add("cuda");
            return data;
        }
    }

    /// <summary>Skips the calling test (cleanly, reported as skipped) when the device is CUDA and none is present.</summary>
    public static Device Require(string device)
    {
        var d = Device.Parse(device);
        if (d.IsCuda) Assert.SkipUnless(HasCuda, "no CUDA device on this machine");
        return d;
    }
}
