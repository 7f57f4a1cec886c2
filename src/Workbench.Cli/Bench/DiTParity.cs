using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using Workbench.Diffusion;
using Workbench.Models;
using Workbench.Models.Attention;
using Workbench.NN;
using Workbench.Torch;
using Workbench.Training;

namespace Workbench.Cli.Bench;

/// <summary>
/// <c>workbench bench parity --out DIR</c> (hidden): writes, per attention layout, a DiT's weights, a set of inputs,
/// and what Workbench computes from them (forward in float32 and under bf16 autocast, one training step's loss,
/// gradients and updated weights), all as safetensors; <c>bench/dit_parity.py DIR</c> recomputes them with the
/// PyTorch reference and compares.
/// </summary>
internal static class DiTParity
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "folder for the parity files (one subfolder per layout)", Required = true };
        var preset = new Option<string>("--preset") { Description = "DiT preset", DefaultValueFactory = _ => "tiny" };
        var layouts = new Option<string>("--layouts") { Description = "attention layouts", DefaultValueFactory = _ => "joint,factorized" };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N]", DefaultValueFactory = _ => "cpu" };
        var frames = new Option<int>("--frames") { Description = "latent frames", DefaultValueFactory = _ => 4 };
        var size = new Option<int>("--size") { Description = "latent side", DefaultValueFactory = _ => 8 };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 2 };
        var command = new Command("parity", "write a DiT's weights, inputs and Workbench outputs for bench/dit_parity.py")
        {
            output, preset, layouts, device, frames, size, batch,
        };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            var config = DiTBenchmark.Preset(parse.GetValue(preset)!);
            var d = Device.Parse(parse.GetValue(device)!);
            foreach (var layout in DiTBenchmark.ParseLayouts(parse.GetValue(layouts)!))
            {
                var dir = Path.Combine(parse.GetValue(output)!, DiTBenchmark.Name(layout));
                Write(dir, config with { Attention = layout }, d, parse.GetValue(frames), parse.GetValue(size), parse.GetValue(batch));
                AnsiConsole.MarkupLine($"wrote {Markup.Escape(dir)}");
            }
            return 0;
        });
        return command;
    }

    private static void Write(string dir, DiTConfig config, Device device, int frames, int size, int batch)
    {
        Directory.CreateDirectory(dir);
        using var scope = DisposeScope.Enter();
        Torch.Torch.ManualSeed(1);
        using var model = new SpacetimeDiT(config);
        // Move every weight off DiT's initialisation (zero gates and output layer), so the outputs depend on all of them.
        using (new NoGrad())
            foreach (var p in model.Parameters()) p.Value.Add_(Tensor.RandnLike(p.Value) * 0.05);
        model.To(device);
        model.Save(Path.Combine(dir, "weights.safetensors"));
        int l = Math.Min(8, config.MaxTextLength);
        var text = Tensor.Randint(CaptionTokenizer.Reserved.Count, config.VocabSize, [batch, l], device: device);
        text.Narrow(1, l - 2, 2).Narrow(0, 0, 1).Fill_(CaptionTokenizer.PadId);    // padding in the first caption
        var inputs = new Dictionary<string, Tensor>
        {
            ["x"] = Tensor.Randn([batch, config.InChannels, frames, size, size], device: device),
            ["t"] = Tensor.Rand([batch], device: device),
            ["text"] = text,
            ["drop_text"] = Tensor.Arange(batch, device: device).Remainder(2).Eq(1), // every second caption dropped
            ["x0"] = Tensor.Randn([batch, config.InChannels, frames, size, size], device: device),
            ["noise"] = Tensor.Randn([batch, config.InChannels, frames, size, size], device: device),
            ["train_t"] = Tensor.Rand([batch], device: device),
        };
        var cond = new DiTConditioning { Text = inputs["text"], DropText = inputs["drop_text"] };
        var outputs = new List<(string, Tensor)>();
        using (new NoGrad())
        {
            outputs.Add(("out_fp32", model.Forward(inputs["x"], inputs["t"], cond)));
            using var amp = new Autocast(device);
            outputs.Add(("out_amp", model.Forward(inputs["x"], inputs["t"], cond).To(DType.Float32)));
        }
        // One training step of DiTTraining, with given times and noise: autocast first (gradients only), then float32 with the update.
        var objective = new RectifiedFlowObjective();
        Tensor Loss(bool amp)
        {
            using var region = amp ? new Autocast(device) : null;
            var (x0, noise, t) = (inputs["x0"], inputs["noise"], inputs["train_t"]);
            return F.MseLoss(model.Forward(objective.AddNoise(x0, noise, t), t, cond), objective.Target(x0, noise, t));
        }
        foreach (var (prefix, amp) in new[] { ("amp_", true), ("", false) })
        {
            var loss = Loss(amp);
            loss.Backward();
            outputs.Add((prefix + "loss", loss.Detach()));
            outputs.AddRange(model.NamedParameters().Select(p => (prefix + "grad." + p.Name, p.Parameter.Grad!.Clone())));
            if (amp) model.ZeroGrad();
        }
        double norm = Gradients.ClipNorm(model.Parameters(), 1.0);
        using var optimizer = new AdamW(model.NamedParameters(), 1e-3, beta2: 0.99, weightDecay: 0.05);
        optimizer.Step();
        outputs.Add(("grad_norm", Tensor.FromScalar(norm, DType.Float64)));
        outputs.AddRange(model.NamedParameters().Select(p => ("updated." + p.Name, p.Parameter.Value.Alias())));

        SafetensorsFile.Save(Path.Combine(dir, "inputs.safetensors"), inputs.Select(kv => (kv.Key, kv.Value)).ToList());
        SafetensorsFile.Save(Path.Combine(dir, "outputs.safetensors"), outputs);
        var json = new JsonObject
        {
            ["config"] = DiTBenchmark.ReferenceConfig(config), ["device"] = device.ToString(), ["torch"] = Torch.Torch.Version,
            ["fused_attention"] = F.HasFusedAttention, ["lr"] = 1e-3, ["betas"] = new JsonArray(0.9, 0.99), ["weight_decay"] = 0.05, ["clip"] = 1.0,
        };
        File.WriteAllText(Path.Combine(dir, "config.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
