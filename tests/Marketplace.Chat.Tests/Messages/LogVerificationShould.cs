using Marketplace.Chat.Messages;
using Marketplace.Chat.Persistence;

namespace Marketplace.Chat.Tests.Messages;

/// <summary>The pure check that the database verification and an offline verifier share, on logs built in memory.</summary>
public class LogVerificationShould
{
    private static readonly byte[] Key = Enumerable.Range(7, 32).Select(i => (byte)i).ToArray();

    private static List<EntryRecord> Chain(int count)
    {
        var entries = new List<EntryRecord>();
        var previous = EntryHasher.Genesis;
        for (var i = 1; i <= count; i++)
        {
            var e = EntryHasherShould.Entry();
            e.Id = Guid.NewGuid();
            e.Sequence = i;
            e.Text = $"entry {i}";
            e.PreviousHash = previous;
            e.Hash = EntryHasher.Compute(Key, e);
            previous = e.Hash;
            entries.Add(e);
        }

        return entries;
    }

    private static ChainVerification Verify(List<EntryRecord> entries, long? headSequence = null, string? headHash = null) =>
        ConversationLogReader.Verify(
            entries.OrderBy(e => e.Sequence).ToList(),
            headSequence ?? entries.Count,
            headHash ?? entries[^1].Hash,
            (string id, out ReadOnlySpan<byte> key) =>
            {
                key = id == "k1" ? Key : default;
                return id == "k1";
            });

    [Fact]
    public void Find_an_untouched_log_intact()
    {
        var log = Chain(6);

        var result = Verify(log);

        Assert.Equal(new ChainVerification(true, 6, null, null, log[^1].Hash, result.KeyIds), result);
        Assert.Equal(["k1"], result.KeyIds);
    }

    [Fact]
    public void Name_a_changed_text()
    {
        var log = Chain(6);
        log[3].Text = "changed";

        Assert.Equal((4L, ChainDamage.ContentChanged), Damage(Verify(log)));
    }

    [Fact]
    public void Name_a_missing_middle_entry_also_when_the_sequences_were_closed_up()
    {
        var log = Chain(6);
        var head = log[^1].Hash;
        log.RemoveAt(2);
        Assert.Equal((3L, ChainDamage.EntryMissing), Damage(Verify(log, 6, head)));

        foreach (var e in log.Where(e => e.Sequence > 3))
        {
            e.Sequence--;
        }

        Assert.Equal((3L, ChainDamage.EntryMissing), Damage(Verify(log, 5, head)));
    }

    [Fact]
    public void Name_two_swapped_entries_as_out_of_order()
    {
        var log = Chain(6);
        (log[2].Sequence, log[3].Sequence) = (log[3].Sequence, log[2].Sequence);

        Assert.Equal((3L, ChainDamage.OrderChanged), Damage(Verify(log)));
    }

    [Fact]
    public void Name_a_truncated_tail_against_the_head()
    {
        var log = Chain(6);
        var head = log[^1].Hash;
        log.RemoveAt(5);

        Assert.Equal((6L, ChainDamage.TailTruncated), Damage(Verify(log, 6, head)));
    }

    [Fact]
    public void Name_an_entry_made_with_a_key_the_host_does_not_hold()
    {
        var log = Chain(3);
        log[1].KeyId = "stolen";

        Assert.Equal((2L, ChainDamage.UnknownKey), Damage(Verify(log)));
    }

    [Fact]
    public void Name_the_first_entry_when_every_hash_was_recomputed_without_the_key()
    {
        var log = Chain(4);
        var forged = Enumerable.Repeat((byte)1, 32).ToArray();
        var previous = EntryHasher.Genesis;
        foreach (var e in log)
        {
            e.PreviousHash = previous;
            e.Hash = EntryHasher.Compute(forged, e);
            previous = e.Hash;
        }

        Assert.Equal((1L, ChainDamage.ContentChanged), Damage(Verify(log, 4, previous)));
    }

    [Fact]
    public void Name_a_changed_link_alone_as_changed_content()
    {
        var log = Chain(4);
        log[2].PreviousHash = new string('9', 64);

        Assert.Equal((3L, ChainDamage.ContentChanged), Damage(Verify(log)));
    }

    private static (long?, ChainDamage?) Damage(ChainVerification result)
    {
        Assert.False(result.IsIntact);
        return (result.FirstBrokenSequence, result.Damage);
    }
}
