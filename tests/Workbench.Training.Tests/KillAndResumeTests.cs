using System.Text.Json.Nodes;
using Workbench.NN;

namespace Workbench.Training.Tests;

/// <summary>Tests that run <c>workbench</c> as child processes: alone, so their timings are not stretched by other tests.</summary>
[CollectionDefinition(nameof(ChildProcessCollection), DisableParallelization = true)]
public sealed class ChildProcessCollection;

/// <summary>
/// <c>workbench train dit</c> killed with SIGKILL (no chance to clean up) at a random moment after its first
/// checkpoint, resumed, killed again while it writes a checkpoint, and resumed to the end: every resume must
/// start from a complete checkpoint and the loss curve must be the uninterrupted run's.
/// </summary>
[Collection(nameof(ChildProcessCollection))]
public sealed class KillAndResumeTests(TrainingFixture fixture) : IClassFixture<TrainingFixture>
{
    private const int Steps = 12;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    private string[] Train(string run, bool resume) =>
    [
        "train", "dit", "--data", fixture.Data, "--vae", fixture.VaeRun, "--out", run, "--steps", $"{Steps}", "--batch", "4",
        "--holdout", "8", "--save-every", "1", "--accumulate", "2", "--seed", "5", .. resume ? new[] { "--resume" } : [],
    ];

    private static double[] Losses(string run) =>
        File.ReadLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!["Loss"]!.GetValue<double>()).ToArray();

    // Whole minutes for a few seconds of work: only a blocked child or test comes near it, and then it fails.
    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task ARunKilledAtAnyMomentResumesFromItsLastCompleteCheckpoint()
    {
        var cancel = TestContext.Current.CancellationToken;
        var whole = Path.Combine(fixture.Root, "kill-whole");
        var split = Path.Combine(fixture.Root, "kill-split");
        using (var child = WorkbenchProcess.Start(Train(whole, resume: false)))
            Assert.True(await child.ExitCodeAsync(Limit, cancel) == 0, child.Output);

        // 1. Killed at a random moment after the first checkpoint (the seed is in the failure message).
        int seed = Random.Shared.Next();
        int delay = new Random(seed).Next(0, 1500);
        using (var child = WorkbenchProcess.Start(Train(split, resume: false)))
        {
            await child.WaitUntilAsync(() => Checkpoint.Latest(split) is not null, "first checkpoint", Limit, cancel);
            await Task.Delay(delay, cancel);
            child.Kill();
        }
        long first = AssertLatestIsComplete(split, $"after the kill {delay} ms past the first checkpoint (seed {seed})");

        // 2. Resumed, and killed as soon as it starts writing a checkpoint folder.
        using (var child = WorkbenchProcess.Start(Train(split, resume: true)))
        {
            using var watcher = new FileSystemWatcher(Checkpoint.Folder(split), ".step-*") { NotifyFilter = NotifyFilters.DirectoryName };
            watcher.Created += (_, _) => child.Kill();
            watcher.EnableRaisingEvents = true;
            Assert.True(await child.ExitCodeAsync(Limit, cancel) != 0, $"the resumed run ended before it was killed:\n{child.Output}");
            Assert.Contains($"step-{first:D7}", child.Output);
            bool midWrite = Directory.GetDirectories(Checkpoint.Folder(split), ".step-*").Length > 0;
            TestContext.Current.SendDiagnosticMessage($"killed at step {first}+, {(midWrite ? "with a partial checkpoint folder left" : "after the write")}");
        }
        long second = AssertLatestIsComplete(split, "after the kill during a checkpoint write");

        // 3. Resumed to the end.
        using (var child = WorkbenchProcess.Start(Train(split, resume: true)))
        {
            Assert.True(await child.ExitCodeAsync(Limit, cancel) == 0, child.Output);
            Assert.Contains($"step-{second:D7}", child.Output);
        }
        var expected = Losses(whole);
        var resumed = Losses(split);
        Assert.Equal(Steps, expected.Length);
        Assert.Equal(Steps, resumed.Length);
        for (int i = 0; i < Steps; i++)
            Assert.True(Math.Abs(expected[i] - resumed[i]) < 1e-6, $"step {i + 1}: {resumed[i]} after resuming, {expected[i]} uninterrupted");
        Assert.EndsWith($"step-{Steps:D7}", Checkpoint.Latest(split));
        Assert.Empty(Directory.GetDirectories(Checkpoint.Folder(split), ".*"));
        using var store = RunStore.Open(RunStore.PathFor(split));
        Assert.Equal(resumed, store.Series(store.Find(split)!.Value, "loss").Select(p => p.Value));
    }

    // The checkpoint Latest picks is whole: state.json names its step and every tensor file reads back. Returns the step.
    private static long AssertLatestIsComplete(string run, string when)
    {
        var latest = Checkpoint.Latest(run);
        Assert.True(latest is not null, $"no complete checkpoint {when}");
        long step = Checkpoint.ReadState(latest)["step"]!.GetValue<long>();
        Assert.Equal($"step-{step:D7}", Path.GetFileName(latest));
        using var scope = DisposeScope.Enter();
        foreach (var file in new[] { Checkpoint.Model, Checkpoint.EmaFile, Checkpoint.Optimizer })
        {
            using var tensors = SafetensorsFile.Open(Path.Combine(latest, file));
            Assert.True(tensors.Entries.Count > 0, $"{file} of {latest} is empty {when}");
            foreach (var name in tensors.Entries.Keys) tensors.ReadTensor(name);
        }
        return step;
    }
}
