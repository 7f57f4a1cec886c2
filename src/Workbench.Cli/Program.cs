using System.CommandLine;
using Workbench.Cli;

var root = new RootCommand("Workbench: a research workbench for Sora-style video diffusion")
{
    InfoCommand.Create(),
    DemoCommand.Create(),
    DataCommand.Create(),
    TrainCommand.CreateTrain(),
    TrainCommand.CreateEval(),
    DiTCommands.Sample(),
    RunsCommand.Create(),
    BenchCommand.Create(),
    FvdCommand.Create(),
    VbenchCommand.Create(),
    PhysicsCommand.Create(),
};
FeaturesCommand.AddTo(root);
return await root.Parse(args).InvokeAsync();
