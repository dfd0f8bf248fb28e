using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Validation;

namespace Marketplace.Chat.Tests.Validation;

public class ChatInputShould
{
    [Fact]
    public void Refuse_text_postgresql_cannot_store_with_InvalidArgument()
    {
        // In a fact, not theory data: xunit's and the compiler's serialisation replace an unpaired surrogate with U+FFFD.
        foreach (var text in new[] { "nul\0inside", "\ud800", "lone low \udc00 surrogate", "high at the end \ud83d", "reversed \udc00\ud800 pair" })
        {
            var refusal = Assert.Throws<ChatException>(() => ChatInput.RequireStorableText(text, "message"));

            Assert.Equal(ChatErrorCode.InvalidArgument, refusal.Code);
            Assert.StartsWith("The message contains", refusal.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("emoji 😀 paired")]
    [InlineData("")]
    [InlineData(null)]
    public void Accept_text_that_can_be_stored(string? text) => ChatInput.RequireStorableText(text, "message");

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("tx\0")]
    public void Refuse_missing_blank_or_unstorable_ids(string? id) =>
        Assert.Equal(ChatErrorCode.InvalidArgument, Assert.Throws<ChatException>(() => ChatInput.RequireId(id, "transaction id")).Code);

    [Fact]
    public void Refuse_an_id_one_character_longer_than_its_column()
    {
        Assert.Equal(new string('a', 200), ChatInput.RequireId(new string('a', 200), "transaction id"));
        Assert.Throws<ChatException>(() => ChatInput.RequireId(new string('a', 201), "transaction id"));
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("3f2a\0")]
    public void Refuse_malformed_guids(string? value) =>
        Assert.Equal(ChatErrorCode.InvalidArgument, Assert.Throws<ChatException>(() => ChatInput.Guid(value, "attachmentId")).Code);

    [Theory]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("99999999999999999999")]
    [InlineData("ten")]
    public void Refuse_numbers_out_of_range(string value) =>
        Assert.Throws<ChatException>(() => ChatInput.OptionalInt64(value, "limit", 0, 1000));

    [Fact]
    public void Check_the_actor_and_event_id_of_a_lifecycle_event()
    {
        Assert.NotNull(ChatInput.Context(null));
        Assert.Throws<ChatException>(() => ChatInput.Context(new ChatEventContext(EventId: "e\0")));
        Assert.Throws<ChatException>(() => ChatInput.Context(new ChatEventContext(ActorId: new string('a', 201))));
    }
}
