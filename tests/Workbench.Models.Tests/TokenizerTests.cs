using Workbench.Data;

namespace Workbench.Models.Tests;

public class TokenizerTests
{
    private static readonly string[] Captions =
    [
        "a red ball falls and bounces",
        "A blue square moves left",
        "a red triangle moves right behind a wall",
    ];

    [Fact]
    public void TheVocabularyHoldsTheReservedTokensThenTheCaptionWordsByFrequency()
    {
        var tokenizer = CaptionTokenizer.Build(Captions);
        Assert.Equal(["<pad>", "<unk>", "<bos>"], tokenizer.Vocabulary.Take(3));
        Assert.Equal(["a", "moves", "red"], tokenizer.Vocabulary.Skip(3).Take(3));   // 4×, 2×, 2× (ties alphabetical)
        var words = "a red ball falls and bounces blue square moves left triangle right behind wall".Split(' ').Distinct();
        Assert.Equal(words.OrderBy(w => w, StringComparer.Ordinal), tokenizer.Vocabulary.Skip(3).OrderBy(w => w, StringComparer.Ordinal));
        Assert.Equal(3 + 14, tokenizer.VocabularySize);
        Assert.Equal(["a", "moves", "red"], CaptionTokenizer.Build(Captions, minCount: 2).Vocabulary.Skip(3));
        Assert.Equal(["a", "moves"], CaptionTokenizer.Build(Captions, maxWords: 2).Vocabulary.Skip(3));
    }

    [Fact]
    public void EncodingStartsWithBosAndIgnoresCaseAndPunctuation()
    {
        var tokenizer = CaptionTokenizer.Build(Captions);
        var ids = tokenizer.Encode("A RED ball, falls!");
        Assert.Equal(CaptionTokenizer.StartId, ids[0]);
        Assert.Equal(["a", "red", "ball", "falls"], ids.Skip(1).Select(i => tokenizer.Vocabulary[i]));
        Assert.Equal("a red ball falls", tokenizer.Decode(ids.Select(i => (long)i)));
    }

    [Fact]
    public void UnknownWordsAreReportedNeverDropped()
    {
        var tokenizer = CaptionTokenizer.Build(Captions);
        var e = Assert.Throws<UnknownWordsException>(() => tokenizer.Encode("a purple ball zooms"));
        Assert.Equal(["purple", "zooms"], e.Words);
        Assert.Contains("'purple'", e.Message);
        var ids = tokenizer.Encode("a purple ball zooms", out var unknown);
        Assert.Equal(["purple", "zooms"], unknown);
        Assert.Equal(5, ids.Length);
        Assert.Equal(CaptionTokenizer.UnknownId, ids[2]);
        Assert.Equal(CaptionTokenizer.UnknownId, ids[4]);
        Assert.Throws<UnknownWordsException>(() => tokenizer.EncodeBatch(["a red ball", "a green ball"], 8));
    }

    [Fact]
    public void ABatchIsPaddedAndATooLongCaptionIsRefused()
    {
        var tokenizer = CaptionTokenizer.Build(Captions);
        using var scope = DisposeScope.Enter();
        var batch = tokenizer.EncodeBatch(["a red ball", "moves left"], 6);
        Assert.Equal(new long[] { 2, 6 }, batch.Shape);
        var row = batch[1].ToArray<long>();
        Assert.Equal(new long[] { CaptionTokenizer.StartId, tokenizer.Encode("moves")[1], tokenizer.Encode("left")[1], 0, 0, 0 }, row);
        var e = Assert.Throws<ArgumentException>(() => tokenizer.EncodeBatch(["a red ball falls and bounces"], 4));
        Assert.Contains("7 tokens", e.Message);
    }

    [Fact]
    public void AVocabularyListRoundTripsAndMustStartWithTheReservedTokens()
    {
        var tokenizer = CaptionTokenizer.Build(Captions);
        var copy = new CaptionTokenizer(tokenizer.Vocabulary);
        Assert.Equal(tokenizer.Encode("a blue wall"), copy.Encode("a blue wall"));
        Assert.Throws<ArgumentException>(() => new CaptionTokenizer(["a", "b"]));
        Assert.Throws<ArgumentException>(() => new CaptionTokenizer([.. CaptionTokenizer.Reserved, "a", "a"]));
    }

    [Fact]
    public void TheBouncingShapesCaptionsMakeASmallVocabulary()
    {
        var data = new BouncingShapes(new BouncingShapesOptions { Frames = 2, Size = 16 });
        var captions = Enumerable.Range(0, 200).Select(i => data.Generate(7, i).Caption).ToList();
        var tokenizer = CaptionTokenizer.Build(captions);
        Assert.InRange(tokenizer.VocabularySize, 15, DiTConfig.Tiny.VocabSize);
        Assert.All(captions, c => tokenizer.Encode(c));                             // every caption encodes without unknowns
        Assert.True(captions.Max(c => tokenizer.Encode(c).Length) <= DiTConfig.Tiny.MaxTextLength);
    }

    [Fact]
    public void PaddingNeverChangesTheEncodingOfTheRealTokens()
    {
        Workbench.Torch.Torch.ManualSeed(4);
        using var encoder = new TextEncoder(vocabSize: 20, width: 16, depth: 2, heads: 2, maxLength: 10);
        using var scope = DisposeScope.Enter();
        using var noGrad = new NoGrad();
        var shortIds = Tensor.From(new long[] { 2, 5, 7, 0, 0 }, [1, 5]);
        var longIds = Tensor.From(new long[] { 2, 5, 7, 0, 0, 0, 0, 0 }, [1, 8]);
        var a = encoder.Forward(shortIds);
        var b = encoder.Forward(longIds);
        Assert.Equal(new long[] { 1, 8, 16 }, b.Shape);
        Assert.True(a[.., ..3].AllClose(b[.., ..3], 1e-5, 1e-6));
        // Control: a real token in place of padding does change them.
        var c = encoder.Forward(Tensor.From(new long[] { 2, 5, 7, 9, 0 }, [1, 5]));
        Assert.True(DiTTestKit.MaxAbsDiff(a[.., ..3], c[.., ..3]) > 1e-4);
        Assert.Throws<ArgumentException>(() => encoder.Forward(Tensor.From(new long[] { 2, 20 }, [1, 2])));
        Assert.Throws<ArgumentException>(() => encoder.Forward(Tensor.Zeros([1, 11], DType.Int64)));
    }
}
