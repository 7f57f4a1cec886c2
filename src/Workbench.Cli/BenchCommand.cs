using System.CommandLine;

namespace Workbench.Cli;

internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "measure per-op overhead and conv3d / attention / matmul throughput");
        command.SetAction(_ => { Console.WriteLine("bench: not yet"); return 1; });
        return command;
    }
}
