using Workbench.Torch;

namespace Workbench.NN;

/// <summary>
/// Base of every layer and model, as torch.nn.Module: named parameters, buffers and submodules
/// registered in order, a state dict with PyTorch's key names (<c>blocks.3.attn.qkv.weight</c>),
/// train/eval mode, moves to a device or dtype, parameter counts. Each module defines its own
/// <c>Forward</c>, with the arguments it needs.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<(string Name, Parameter Parameter)> _parameters = [];
    private readonly List<(string Name, Parameter Buffer)> _buffers = [];
    private readonly List<(string Name, Module Module)> _modules = [];

    /// <summary>True while training (dropout active); set with <see cref="Train"/> / <see cref="Eval"/>.</summary>
    public bool Training { get; private set; } = true;

    protected Parameter RegisterParameter(string name, Tensor value)
    {
        CheckName(name);
        var p = new Parameter(value);
        _parameters.Add((name, p));
        return p;
    }

    /// <summary>A non-trainable tensor that is part of the state (e.g. running statistics, latent mean/std).</summary>
    protected Parameter RegisterBuffer(string name, Tensor value)
    {
        CheckName(name);
        var b = new Parameter(value, requiresGrad: false);
        _buffers.Add((name, b));
        return b;
    }

    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        _modules.Add((name, module));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"'{name}' is not a valid member name (non-empty, no dots)");
        if (_parameters.Any(p => p.Name == name) || _buffers.Any(b => b.Name == name) || _modules.Any(m => m.Name == name))
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'");
    }

    public IEnumerable<(string Name, Module Module)> NamedChildren() => _modules;

    /// <summary>All parameters with their dotted names, depth first in registration order.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters(string prefix = "")
    {
        foreach (var (name, p) in _parameters) yield return (prefix + name, p);
        foreach (var (name, m) in _modules)
            foreach (var item in m.NamedParameters(prefix + name + ".")) yield return item;
    }

    public IEnumerable<(string Name, Parameter Buffer)> NamedBuffers(string prefix = "")
    {
        foreach (var (name, b) in _buffers) yield return (prefix + name, b);
        foreach (var (name, m) in _modules)
            foreach (var item in m.NamedBuffers(prefix + name + ".")) yield return item;
    }

    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Parameter);

    public long ParameterCount => Parameters().Sum(p => p.NumEl);

    /// <summary>Parameters and buffers by name: the tensors themselves (not copies), as in PyTorch.</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> StateDict() =>
        NamedParameters().Select(p => (p.Name, p.Parameter.Value))
            .Concat(NamedBuffers().Select(b => (b.Name, b.Buffer.Value))).ToList();

    /// <summary>
    /// Copies values into this module's parameters and buffers (converted to their dtype and device).
    /// Strict: every key must match and every shape agree, else nothing is changed and the error lists
    /// the missing, unexpected and mismatched keys.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = NamedParameters().Concat(NamedBuffers()).ToDictionary(p => p.Name, p => p.Item2);
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var mismatched = own.Where(kv => state.TryGetValue(kv.Key, out var t) && !t.Shape.SequenceEqual(kv.Value.Shape))
            .Select(kv => $"{kv.Key}: expected {Tensor.FormatShape(kv.Value.Shape)}, got {Tensor.FormatShape(state[kv.Key].Shape)}").ToList();
        if (mismatched.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
        {
            var problems = new List<string>();
            if (missing.Count > 0) problems.Add($"missing keys: {string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? $" (+{missing.Count - 10})" : "")}");
            if (unexpected.Count > 0) problems.Add($"unexpected keys: {string.Join(", ", unexpected.Take(10))}{(unexpected.Count > 10 ? $" (+{unexpected.Count - 10})" : "")}");
            if (mismatched.Count > 0) problems.Add($"shape mismatches: {string.Join("; ", mismatched.Take(10))}");
            throw new ArgumentException($"cannot load the state dict into {GetType().Name}: {string.Join(" | ", problems)}");
        }
        using var noGrad = new NoGrad();
        foreach (var (name, p) in own)
            if (state.TryGetValue(name, out var value)) p.Value.Copy_(value);
    }

    /// <summary>Writes parameters and buffers to a safetensors file (atomically), with string metadata.</summary>
    public void Save(string path, IReadOnlyDictionary<string, string>? metadata = null) =>
        SafetensorsFile.Save(path, StateDict(), metadata);

    /// <summary>Loads parameters and buffers from a safetensors file written here or by PyTorch.</summary>
    public void Load(string path, bool strict = true)
    {
        using var file = SafetensorsFile.Open(path);
        using var scope = DisposeScope.Enter();
        var state = file.Entries.Keys.ToDictionary(k => k, file.ReadTensor);
        LoadStateDict(state, strict);
    }

    public Module Train(bool on = true)
    {
        Training = on;
        foreach (var (_, m) in _modules) m.Train(on);
        return this;
    }

    public Module Eval() => Train(false);

    /// <summary>Moves every parameter and buffer to <paramref name="device"/> (in place).</summary>
    public Module To(Device device) => Map(t => t.To(device));

    /// <summary>Converts floating-point parameters and buffers to <paramref name="dtype"/> (in place).</summary>
    public Module To(DType dtype) => Map(t => t.DType.IsFloatingPoint() ? t.To(dtype) : t.Alias());

    private Module Map(Func<Tensor, Tensor> convert)
    {
        using var noGrad = new NoGrad();
        foreach (var p in Parameters().Concat(NamedBuffers().Select(b => b.Buffer)))
            p.Value = convert(p.Value);
        return this;
    }

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.Grad = null;
    }

    public virtual void Dispose()
    {
        foreach (var (_, p) in _parameters) p.Dispose();
        foreach (var (_, b) in _buffers) b.Dispose();
        foreach (var (_, m) in _modules) m.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A one-line description for summaries; layers override it with their sizes.</summary>
    public virtual string Describe() => GetType().Name;

    /// <summary>The module tree with parameter counts, like printing a torch.nn.Module.</summary>
    public string Summary()
    {
        var sb = new System.Text.StringBuilder();
        void Walk(Module m, string name, int depth)
        {
            long own = m._parameters.Sum(p => p.Parameter.NumEl);
            sb.Append(new string(' ', depth * 2)).Append(name.Length > 0 ? name + ": " : "").Append(m.Describe());
            sb.AppendLine(m._modules.Count == 0 ? $"  ({own:N0} params)" : $"  ({m.ParameterCount:N0} params)");
            foreach (var (child, sub) in m._modules) Walk(sub, child, depth + 1);
        }
        Walk(this, "", 0);
        return sb.ToString();
    }
}

/// <summary>An ordered list of modules registered as "0", "1", ... (torch.nn.ModuleList).</summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> _items = [];

    public ModuleList(IEnumerable<T> items)
    {
        foreach (var item in items) Add(item);
    }

    public void Add(T item)
    {
        RegisterModule(_items.Count.ToString(), item);
        _items.Add(item);
    }

    public T this[int index] => _items[index];
    public int Count => _items.Count;
    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    public override string Describe() => $"ModuleList({Count})";
}
