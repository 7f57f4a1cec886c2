using System.CommandLine;
using Spectre.Console;
using Workbench.Torch;

namespace Workbench.Cli;

/// <summary><c>workbench info</c>: libtorch version, native library, threads, CUDA devices.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var verbose = new Option<bool>("--build-config") { Description = "also print libtorch's build configuration (BLAS, OpenMP, CUDA)" };
        var command = new Command("info", "print the libtorch version, native library, threads and devices") { verbose };
        command.SetAction(parse =>
        {
            var table = new Table().AddColumn("item").AddColumn("value");
            table.AddRow("libtorch", Markup.Escape(Torch.Torch.Version));
            table.AddRow("native library", Markup.Escape(Torch.Torch.NativeLibraryPath ?? "?"));
            table.AddRow("CPU threads", $"{Torch.Torch.Threads} (of {Environment.ProcessorCount} cores)");
            table.AddRow("fused attention", F.HasFusedAttention ? "yes (libtorch 2.x kernels)" : "no (composite softmax(QKᵀ)V)");
            int gpus = Torch.Torch.Cuda.DeviceCount;
            table.AddRow("CUDA devices", gpus.ToString());
            for (int i = 0; i < gpus; i++)
            {
                var (name, memory) = Torch.Torch.Cuda.DeviceInfo(i);
                table.AddRow($"  cuda:{i}", Markup.Escape($"{name}, {memory / (1024.0 * 1024 * 1024):F1} GiB"));
            }
            table.AddRow(".NET", Environment.Version.ToString());
            AnsiConsole.Write(table);
            if (parse.GetValue(verbose)) Console.WriteLine(Torch.Torch.BuildConfig);
            return 0;
        });
        return command;
    }
}
