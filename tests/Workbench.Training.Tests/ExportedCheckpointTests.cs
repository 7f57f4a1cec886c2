using System.Text.RegularExpressions;
using Workbench.Models;
using Workbench.Pipelines;

namespace Workbench.Training.Tests;

/// <summary>The layout scripts/shapes-tiny.sh exports for notebooks: vae/ and dit/ side by side, "vae_run": "../vae".</summary>
public class ExportedCheckpointTests(TrainingFixture fixture) : IClassFixture<TrainingFixture>
{
    [Fact]
    public void ACheckpointFindsItsVaeBesideItFromAnyWorkingFolder()
    {
        var run = Path.Combine(fixture.Root, "export-source");
        DiTTraining.Train(new DiTTrainingOptions
        {
            DataDirectory = fixture.Data, VaeRun = fixture.VaeRun, RunDirectory = run, BatchSize = 4, Steps = 1, Holdout = 8, WarmupSteps = 1,
            Config = DiTConfig.Tiny with { Hidden = 32, Depth = 1, Heads = 2, TextHidden = 32, TextDepth = 1, TextHeads = 2 },
        }).Dispose();

        var export = Path.Combine(fixture.Root, "export", "shapes-tiny");
        Directory.CreateDirectory(Path.Combine(export, "vae"));
        Directory.CreateDirectory(Path.Combine(export, "dit"));
        foreach (var file in new[] { "config.json", VaeTraining.WeightsFile })
            File.Copy(Path.Combine(fixture.VaeRun, file), Path.Combine(export, "vae", file));
        foreach (var file in new[] { DiTTraining.WeightsFile, DiTTraining.TokenizerFile })
            File.Copy(Path.Combine(run, file), Path.Combine(export, "dit", file));
        var config = File.ReadAllText(Path.Combine(run, "config.json"));
        File.WriteAllText(Path.Combine(export, "dit", "config.json"), Regex.Replace(config, "\"vae_run\": *\"[^\"]*\"", "\"vae_run\": \"../vae\""));
        Directory.Move(fixture.VaeRun, fixture.VaeRun + "-moved");               // the original VAE run is gone
        try
        {
            using var pipeline = TextToVideo.Load(Path.Combine(export, "dit"));
            Assert.Equal(4, pipeline.Vae.Config.LatentChannels);
        }
        finally { Directory.Move(fixture.VaeRun + "-moved", fixture.VaeRun); }
    }
}
