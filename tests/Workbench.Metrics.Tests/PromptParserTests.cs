namespace Workbench.Metrics.Tests;

public class PromptParserTests
{
    [Fact]
    public void ParsesEveryCaptionTheShapesGeneratorWrites()
    {
        var generator = new BouncingShapes(new BouncingShapesOptions { MaxObjects = 2 });
        for (int i = 0; i < 60; i++)
        {
            var clip = generator.Generate(4, i);
            var prompt = PromptParser.Parse(clip.Caption);
            Assert.Equal(clip.Objects.Count, prompt.Objects.Count);
            for (int k = 0; k < clip.Objects.Count; k++)
            {
                Assert.Equal(clip.Objects[k].Color, prompt.Objects[k].Color);
                Assert.Equal(clip.Objects[k].Shape, prompt.Objects[k].Shape);
                Assert.Equal(clip.Objects[k].Motion, prompt.Objects[k].Motion);
            }
        }
    }

    [Fact]
    public void ParsesHandWrittenCaptions()
    {
        var p = PromptParser.Parse("a red ball falls and bounces and an orange square moves left behind a wall");
        Assert.Equal(2, p.Objects.Count);
        Assert.Equal(new PromptObject("red", "ball", "gravity", ""), p.Objects[0]);
        Assert.Equal(new PromptObject("orange", "square", "occluded", "left"), p.Objects[1]);
        Assert.Null(p.Motion);
        Assert.Equal(new[] { 3, 7 }, PromptParser.Parse("the digits 3 and 7 move and bounce").Digits);
        Assert.Equal(new[] { 5 }, PromptParser.Parse("the digit 5 moves and bounces").Digits);
        Assert.True(PromptParser.Parse("a cat on a sofa").IsEmpty);
    }
}
