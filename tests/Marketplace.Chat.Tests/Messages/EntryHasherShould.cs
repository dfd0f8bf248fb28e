using Marketplace.Chat.Conversations;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Persistence;

namespace Marketplace.Chat.Tests.Messages;

public class EntryHasherShould
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly DateTimeOffset At = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    internal static EntryRecord Entry() => new()
    {
        Id = Guid.Parse("0e5d3c1a-2222-4c2a-9a7e-0a0b0c0d0e0f"),
        ConversationId = Guid.Parse("8f7d7c5e-1111-4c2a-9a7e-0a0b0c0d0e0f"),
        Sequence = 2,
        Kind = ChatMessageKind.Text,
        SenderId = "buyer-1",
        SenderRole = ParticipantRole.Buyer,
        Text = "hello",
        CreatedAt = At,
        KeyId = "k1",
        PreviousHash = EntryHasher.Genesis,
    };

    private static string Hash(Action<EntryRecord>? change = null, byte[]? key = null)
    {
        var entry = Entry();
        change?.Invoke(entry);
        return EntryHasher.Compute(key ?? Key, entry);
    }

    [Fact]
    public void Give_the_same_hash_for_the_same_entry_and_key()
    {
        Assert.Equal(Hash(), Hash());
        Assert.Matches("^[0-9a-f]{64}$", Hash());
    }

    [Fact]
    public void Change_when_any_field_the_chain_covers_changes()
    {
        var original = Hash();
        var changes = new (string Field, Action<EntryRecord> Change)[]
        {
            ("previous hash", e => e.PreviousHash = new string('1', 64)),
            ("id", e => e.Id = Guid.NewGuid()),
            ("conversation", e => e.ConversationId = Guid.NewGuid()),
            ("sequence", e => e.Sequence = 3),
            ("kind", e => e.Kind = ChatMessageKind.File),
            ("system code", e => e.SystemCode = "PaymentConfirmed"),
            ("sender", e => e.SenderId = "seller-1"),
            ("role", e => e.SenderRole = ParticipantRole.Admin),
            ("text", e => e.Text = "hello!"),
            ("target", e => e.TargetId = Guid.NewGuid()),
            ("target sequence", e => e.TargetSequence = 1),
            ("attachment", e => e.AttachmentId = Guid.NewGuid()),
            ("attachment hash", e => e.AttachmentSha256 = new string('a', 64)),
            ("parameters", e => e.Parameters = "{\"tracking\":\"1Z\"}"),
            ("event id", e => e.EventId = "shipped-1"),
            ("time", e => e.CreatedAt = At.AddTicks(10)),
            ("key id", e => e.KeyId = "k2"),
        };

        Assert.All(changes, c => Assert.True(original != Hash(c.Change), c.Field + " is not covered"));
        Assert.Equal(changes.Length, changes.Select(c => Hash(c.Change)).Distinct().Count());
    }

    [Fact]
    public void Depend_on_the_key_so_nobody_without_it_can_recompute_a_link()
    {
        Assert.NotEqual(Hash(), Hash(key: Enumerable.Range(2, 32).Select(i => (byte)i).ToArray()));
    }

    [Fact]
    public void Not_confuse_fields_whose_concatenation_is_equal_nor_an_empty_text_with_none()
    {
        Assert.NotEqual(Hash(e => { e.SenderId = "ab"; e.Text = "c"; }), Hash(e => { e.SenderId = "a"; e.Text = "bc"; }));
        Assert.NotEqual(Hash(e => e.Text = ""), Hash(e => e.Text = null));
    }

    [Fact]
    public void Round_times_to_the_microsecond_a_database_keeps()
    {
        var precise = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.FromHours(1)).AddTicks(1234567);

        var normalized = EntryHasher.Normalize(precise);

        Assert.Equal(TimeSpan.Zero, normalized.Offset);
        Assert.Equal(0, normalized.UtcTicks % 10);
        Assert.Equal(precise.UtcTicks - 7, normalized.UtcTicks);
    }
}
