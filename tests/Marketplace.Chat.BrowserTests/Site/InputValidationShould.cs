using Marketplace.Chat.Sample.Hosting;

namespace Marketplace.Chat.BrowserTests.Site;

public sealed class InputValidationShould
{
    [Theory]
    [InlineData("camille@demo.test")]
    [InlineData("Ligne 1\nLigne 2\r\n\tfin")]
    [InlineData("Émail bleu de Delft 🏺, 24 cm")]
    [InlineData("")]
    [InlineData(null)]
    public void Accept_text_people_type(string? text) => Assert.True(InputValidation.IsValidText(text));

    [Theory]
    [InlineData("a\0b")]
    [InlineData("\u0001")]
    [InlineData("esc\u001B[31m")]
    [InlineData("del\u007F")]
    [InlineData("c1\u0085")]
    [InlineData("\uFFFE")]
    [InlineData("\uFFFF")]
    public void Refuse_characters_that_can_never_be_valid(string text) => Assert.False(InputValidation.IsValidText(text));

    [Fact]
    public void Refuse_unpaired_surrogates()
    {
        // Written here rather than as InlineData: test discovery would turn a lone surrogate into U+FFFD on the way.
        foreach (var text in new[] { "lone \uD800 high", "lone \uDC00 low", "end \uD83C", "\uDF3A first" })
        {
            Assert.False(InputValidation.IsValidText(text), text.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.True(InputValidation.IsValidText("pair \uD83C\uDFFA"));
    }
}
