using Marketplace.Chat.Messages;

namespace Marketplace.Chat.Tests.Messages;

public class MessageHasherShould
{
    private static readonly Guid Conversation = Guid.Parse("8f7d7c5e-1111-4c2a-9a7e-0a0b0c0d0e0f");
    private static readonly DateTimeOffset At = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private static string Hash(
        string previous = "", long sequence = 2, ChatMessageKind kind = ChatMessageKind.Text, string? sender = "buyer-1",
        DateTimeOffset? at = null, string text = "hello", string? attachment = null) =>
        MessageHasher.Compute(previous.Length == 0 ? MessageHasher.Genesis : previous, Conversation, sequence, kind, sender, at ?? At, text, attachment);

    [Fact]
    public void Give_the_same_hash_for_the_same_content()
    {
        Assert.Equal(Hash(), Hash());
        Assert.Matches("^[0-9a-f]{64}$", Hash());
    }

    [Fact]
    public void Change_when_any_covered_field_changes()
    {
        var original = Hash();
        Assert.NotEqual(original, Hash(previous: new string('1', 64)));
        Assert.NotEqual(original, Hash(sequence: 3));
        Assert.NotEqual(original, Hash(kind: ChatMessageKind.File));
        Assert.NotEqual(original, Hash(sender: "seller-1"));
        Assert.NotEqual(original, Hash(at: At.AddTicks(10)));
        Assert.NotEqual(original, Hash(text: "hello!"));
        Assert.NotEqual(original, Hash(attachment: new string('a', 64)));
    }

    [Fact]
    public void Not_confuse_fields_whose_concatenation_is_equal()
    {
        Assert.NotEqual(Hash(sender: "ab", text: "c"), Hash(sender: "a", text: "bc"));
    }

    [Fact]
    public void Round_times_to_the_microsecond_a_database_keeps()
    {
        var precise = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.FromHours(1)).AddTicks(1234567);

        var normalized = MessageHasher.Normalize(precise);

        Assert.Equal(TimeSpan.Zero, normalized.Offset);
        Assert.Equal(0, normalized.UtcTicks % 10);
        Assert.Equal(precise.UtcTicks - 7, normalized.UtcTicks);
    }
}
