using System.Text.Json.Nodes;
using Workbench.Data;
using Workbench.Models;

namespace Workbench.Training.Tests;

/// <summary>A small Bouncing Shapes dataset and a briefly trained VAE run, made once for the test class.</summary>
public sealed class TrainingFixture : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "wb-train-" + Guid.NewGuid().ToString("N"));
    public string Data => Path.Combine(Root, "data");
    public string VaeRun => Path.Combine(Root, "vae");

    public TrainingFixture()
    {
        var shapes = new BouncingShapes(new BouncingShapesOptions { Size = 16, Frames = 5 });
        using (var writer = new VideoDatasetWriter(Data, 5, 16, 16, 3, new JsonObject { ["name"] = "shapes" }))
        {
            for (int i = 0; i < 48; i++) writer.Add(shapes.Generate(1, i));
            writer.Complete();
        }
        using var vae = VaeTraining.Train(new VaeTrainingOptions
        {
            DataDirectory = Data, RunDirectory = VaeRun, Config = VaeConfig.Tiny with { Channels = [8, 16, 16] },
            Frames = 5, Size = 16, BatchSize = 4, Steps = 3, Holdout = 8, WarmupSteps = 1,
        });
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, true); } catch (IOException) { }
    }
}
