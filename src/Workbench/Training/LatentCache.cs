using System.Text.Json;
using Workbench.Data;
using Workbench.Models;
using Workbench.NN;
using Workbench.Torch;

namespace Workbench.Training;

/// <summary>
/// A dataset encoded once by a trained VAE: normalised latents (N, C_z, T_z, H_z, W_z) (posterior means,
/// per-channel (z − mean)/std) and the clips' captions, so DiT training never runs the VAE (two-stage
/// latent diffusion, as in LDM/Sora). Stored as <c>latents.safetensors</c> with the captions in its metadata.
/// </summary>
public sealed class LatentCache(Tensor latents, string[] captions) : IDisposable
{
    public Tensor Latents { get; } = latents;
    public IReadOnlyList<string> Captions { get; } = captions;
    public long Count => Latents.Size(0);

    public static LatentCache Build(CausalVideoVae vae, IVideoDataset clips, int frames, int size, Device device,
        IProgress<(long Done, long Total)>? progress = null, int batchSize = 16)
    {
        var loader = new DataLoader(clips, batchSize, shuffle: false, device: device, dropLast: false, frames: frames, size: size);
        var parts = new List<Tensor>();
        var captions = new List<string>();
        using var noGrad = new NoGrad();
        foreach (var batch in loader.Epoch())
        {
            using var scope = DisposeScope.Enter();
            using var _ = batch;
            var (mean, _) = vae.Encode(batch.Video);
            parts.Add(vae.Normalize(mean).Cpu().DetachFromScope());
            captions.AddRange(batch.Captions);
            progress?.Report((captions.Count, clips.Count));
        }
        var latents = Tensor.Cat(parts);
        foreach (var p in parts) p.Dispose();
        return new LatentCache(latents.DetachFromScope(), captions.ToArray());
    }

    public void Save(string path) =>
        SafetensorsFile.Save(path, [("latents", Latents)], new Dictionary<string, string> { ["captions"] = JsonSerializer.Serialize(Captions) });

    public static LatentCache Load(string path)
    {
        using var file = SafetensorsFile.Open(path);
        var captions = file.Metadata.TryGetValue("captions", out var json) ? JsonSerializer.Deserialize<string[]>(json) : null;
        var latents = file.ReadTensor("latents").DetachFromScope();
        if (captions is null || captions.Length != latents.Size(0))
            throw new InvalidDataException($"{path}: {captions?.Length ?? 0} captions for {latents.Size(0)} latents");
        return new LatentCache(latents, captions);
    }

    public void Dispose() => Latents.Dispose();
}
