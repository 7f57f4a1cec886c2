using System.CommandLine;
using Workbench.Torch;

namespace Workbench.Cli;

/// <summary>
/// <c>workbench demo</c>: a tiny end-to-end tensor run: a random video batch, a causal 3D convolution,
/// spacetime attention over its tokens, and one gradient step, with the numbers printed.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N]", DefaultValueFactory = _ => "cpu" };
        var command = new Command("demo", "run a tiny tensor demo (conv3d, spacetime attention, one gradient step)") { device };
        command.SetAction(parse => Run(Device.Parse(parse.GetValue(device)!)));
        return command;
    }

    private static int Run(Device device)
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(seed: 0, device);
        // A batch of 2 clips: 3 channels, 5 frames of 16×16.
        var video = Tensor.Randn([2, 3, 5, 16, 16], device: device, generator: generator);
        Console.WriteLine($"video        {Tensor.FormatShape(video.Shape)}");

        // A causal 3D convolution: pad 2 past frames and none in the future, so frame t sees frames ≤ t.
        var weight = (Tensor.Randn([8, 3, 3, 3, 3], device: device, generator: generator) * 0.1).RequiresGrad_();
        var padded = video.Pad([1, 1, 1, 1, 2, 0]);
        var features = F.Conv3d(padded, weight);                                  // (2, 8, 5, 16, 16)
        Console.WriteLine($"causal conv  {Tensor.FormatShape(features.Shape)}");

        // Spacetime tokens: every (frame, row, column) position is a token of 8 features.
        var tokens = features.Flatten(2).Transpose(1, 2);                           // (2, 5*16*16, 8)
        var (attended, weights) = F.ScaledDotProductAttentionWithWeights(tokens, tokens, tokens);
        Console.WriteLine($"attention    {Tensor.FormatShape(attended.Shape)}, weights {Tensor.FormatShape(weights.Shape)}, rows sum to {weights.Sum(-1).Mean().Item<double>():F4}");

        // One gradient step on the convolution weights.
        var loss = attended.Square().Mean();
        loss.Backward();
        var grad = weight.Grad!;
        Console.WriteLine($"loss         {loss.Item<double>():F6}");
        Console.WriteLine($"grad norm    {grad.Norm().Item<double>():F6}");
        Console.WriteLine(grad[0, 0, 0]);
        return 0;
    }
}
