using System.CommandLine;
using Workbench.Cli;

var root = new RootCommand("Workbench: a research workbench for Sora-style video diffusion")
{
    InfoCommand.Create(),
    DemoCommand.Create(),
    DataCommand.Create(),
    TrainCommand.CreateTrain(),
    EvalCommand.Create(),
    DiTCommands.Sample(),
    RunsCommand.Create(),
    BenchCommand.Create(),
    FvdCommand.Create(),
    VbenchCommand.Create(),
    PhysicsCommand.Create(),
    NotebookCommand.Create(),
};
FeaturesCommand.AddTo(root);
// Errors a user can act on (bad input, missing files, unknown words, diverged training) end the command
// with their message, not a stack trace; WORKBENCH_DEBUG=1 shows the trace.
var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = Environment.GetEnvironmentVariable("WORKBENCH_DEBUG") == "1" };
try
{
    return await root.Parse(args).InvokeAsync(configuration);
}
catch (Exception e) when (Environment.GetEnvironmentVariable("WORKBENCH_DEBUG") != "1")
{
    Console.Error.WriteLine($"workbench: {e.Message}");
    return 1;
}
