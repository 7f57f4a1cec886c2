using System.Text;
using Workbench.Torch;

namespace Workbench.Models;

/// <summary>Thrown when a prompt holds words outside the tokenizer's vocabulary; lists them.</summary>
public sealed class UnknownWordsException(IReadOnlyList<string> words, string text)
    : ArgumentException($"words not in the caption vocabulary: {string.Join(", ", words.Select(w => $"'{w}'"))} (in \"{text}\"); " +
        "the model only knows words seen in its training captions")
{
    public IReadOnlyList<string> Words { get; } = words;
}

/// <summary>
/// A word-level tokenizer whose vocabulary is built from a dataset's captions ("a red ball falls and bounces").
/// Text is lower-cased and split into runs of letters and digits; ids 0, 1, 2 are reserved for
/// <c>&lt;pad&gt;</c>, <c>&lt;unk&gt;</c> and <c>&lt;bos&gt;</c> (which starts every encoded caption, so a caption
/// always has one real token). A word outside the vocabulary is never dropped silently: <see cref="Encode(string)"/>
/// throws <see cref="UnknownWordsException"/> naming it, and <see cref="Encode(string, out IReadOnlyList{string})"/>
/// maps it to <c>&lt;unk&gt;</c> and returns it.
/// </summary>
public sealed class CaptionTokenizer
{
    public const int PadId = 0, UnknownId = 1, StartId = 2;
    public static readonly IReadOnlyList<string> Reserved = ["<pad>", "<unk>", "<bos>"];

    private readonly string[] _words;
    private readonly Dictionary<string, int> _ids;

    /// <summary>A tokenizer over <paramref name="vocabulary"/>: the reserved tokens first, then the words (as <see cref="Vocabulary"/> lists them).</summary>
    public CaptionTokenizer(IEnumerable<string> vocabulary)
    {
        _words = vocabulary.ToArray();
        if (_words.Length < Reserved.Count || !_words.Take(Reserved.Count).SequenceEqual(Reserved))
            throw new ArgumentException($"a vocabulary starts with the reserved tokens {string.Join(", ", Reserved)}", nameof(vocabulary));
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _words.Length; i++)
            if (!_ids.TryAdd(_words[i], i)) throw new ArgumentException($"the vocabulary lists '{_words[i]}' twice", nameof(vocabulary));
    }

    /// <summary>
    /// Builds the vocabulary from <paramref name="captions"/>: words seen at least <paramref name="minCount"/>
    /// times, most frequent first (ties alphabetical), at most <paramref name="maxWords"/> of them.
    /// </summary>
    public static CaptionTokenizer Build(IEnumerable<string> captions, int minCount = 1, int? maxWords = null)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var caption in captions)
            foreach (var word in Words(caption))
                counts[word] = counts.GetValueOrDefault(word) + 1;
        var words = counts.Where(kv => kv.Value >= minCount).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key).Take(maxWords ?? int.MaxValue);
        return new CaptionTokenizer(Reserved.Concat(words));
    }

    /// <summary>Every token, reserved ones first; its index is the id.</summary>
    public IReadOnlyList<string> Vocabulary => _words;
    public int VocabularySize => _words.Length;

    /// <summary>The words of <paramref name="text"/>: lower-cased runs of letters and digits.</summary>
    public static IReadOnlyList<string> Words(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var ch in text)
        {
            if (char.IsLetterOrDigit(ch)) current.Append(char.ToLowerInvariant(ch));
            else if (current.Length > 0) { words.Add(current.ToString()); current.Clear(); }
        }
        if (current.Length > 0) words.Add(current.ToString());
        return words;
    }

    /// <summary>&lt;bos&gt; and the ids of the words; throws <see cref="UnknownWordsException"/> for unknown words.</summary>
    public int[] Encode(string text)
    {
        var ids = Encode(text, out var unknown);
        if (unknown.Count > 0) throw new UnknownWordsException(unknown, text);
        return ids;
    }

    /// <summary>&lt;bos&gt; and the ids of the words, unknown words as &lt;unk&gt;; <paramref name="unknown"/> lists them.</summary>
    public int[] Encode(string text, out IReadOnlyList<string> unknown)
    {
        var missing = new List<string>();
        var ids = new List<int> { StartId };
        foreach (var word in Words(text))
        {
            if (_ids.TryGetValue(word, out int id)) ids.Add(id);
            else { ids.Add(UnknownId); missing.Add(word); }
        }
        unknown = missing;
        return ids.ToArray();
    }

    /// <summary>
    /// Token ids (B, <paramref name="length"/>) int64, each caption encoded and padded with &lt;pad&gt;. Throws for
    /// unknown words and for a caption longer than <paramref name="length"/> tokens (nothing is cut off).
    /// </summary>
    public Tensor EncodeBatch(IReadOnlyList<string> captions, int length, Device? device = null)
    {
        var data = new long[captions.Count * length];
        for (int b = 0; b < captions.Count; b++)
        {
            var ids = Encode(captions[b]);
            if (ids.Length > length)
                throw new ArgumentException($"caption {b} (\"{captions[b]}\") has {ids.Length} tokens with <bos>, more than the {length} allowed", nameof(captions));
            for (int i = 0; i < ids.Length; i++) data[b * length + i] = ids[i];
        }
        return Tensor.From(data, [captions.Count, length], device);
    }

    /// <summary>The words of <paramref name="ids"/>, without reserved tokens other than &lt;unk&gt;.</summary>
    public string Decode(IEnumerable<long> ids) =>
        string.Join(' ', ids.Where(id => id != PadId && id != StartId).Select(id => id >= 0 && id < _words.Length ? _words[id] : "<unk>"));
}
