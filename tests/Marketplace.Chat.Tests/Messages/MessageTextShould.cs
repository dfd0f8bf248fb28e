using Marketplace.Chat.Messages;

namespace Marketplace.Chat.Tests.Messages;

public class MessageTextShould
{
    [Theory]
    [InlineData("Bonjour", "Bonjour")]
    [InlineData("line one\r\nline two", "line one\nline two")]
    [InlineData("old\rmac", "old\nmac")]
    [InlineData("tab\tkept", "tab\tkept")]
    [InlineData("bell\u0007 and null\0 gone", "bell and null gone")]
    [InlineData("escape \u001b[31mred", "escape [31mred")]
    [InlineData("invoice_\u202Egpj.exe", "invoice_gpj.exe")]
    [InlineData("isolate \u2066x\u2069", "isolate x")]
    [InlineData("<script>alert(1)</script>", "<script>alert(1)</script>")]
    [InlineData("emoji 👍 and œ « »", "emoji 👍 and œ « »")]
    public void Remove_control_characters_and_keep_what_was_typed(string typed, string stored)
    {
        Assert.Equal(stored, MessageText.Clean(typed));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\n\t ")]
    public void Treat_whitespace_only_as_blank(string text)
    {
        Assert.True(MessageText.IsBlank(MessageText.Clean(text)));
    }
}
