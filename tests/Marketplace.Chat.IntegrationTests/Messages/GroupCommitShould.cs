using Marketplace.Chat.Conversations;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.IntegrationTests.Messages;

[Collection(PostgresCollection.Name)]
public sealed class GroupCommitShould(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private ChatHarness _chat = null!;

    public async Task InitializeAsync() => _chat = await ChatHarness.StartAsync(postgres, o => o.MaxMessageLength = 500, nameof(GroupCommitShould));

    public async Task DisposeAsync() => await _chat.DisposeAsync();

    [Fact]
    public async Task Give_five_hundred_senders_on_two_hundred_fifty_conversations_gap_free_sequences_and_intact_chains()
    {
        var chats = new List<(ChatConversationInfo Chat, ChatUser Buyer, ChatUser Seller)>();
        for (var i = 0; i < 250; i++)
        {
            var (_, chat, buyer, seller) = await _chat.NewTransactionAsync(paid: true);
            chats.Add((chat, buyer, seller));
        }

        var before = await _chat.Db(db => db.Set<ConversationRecord>().Where(c => chats.Select(x => x.Chat.Id).Contains(c.Id))
            .ToDictionaryAsync(c => c.Id, c => c.LastSequence));
        using var start = new ManualResetEventSlim();
        var sends = Enumerable.Range(0, 500).Select(i => Task.Run(async () =>
        {
            start.Wait();
            var (chat, buyer, seller) = chats[i % 250];
            return await _chat.Messaging(m => m.SendTextAsync(i % 2 == 0 ? buyer : seller, chat.Id, Guid.NewGuid(), $"message {i}"));
        })).ToList();
        start.Set();
        var sent = await Task.WhenAll(sends).WaitAsync(Timeout);

        Assert.Equal(500, sent.Select(m => m.Id).Distinct().Count());
        foreach (var (chat, buyer, _) in chats)
        {
            var sequences = await _chat.Db(db => db.Set<EntryRecord>().Where(e => e.ConversationId == chat.Id)
                .OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync());
            Assert.Equal(Enumerable.Range(1, (int)before[chat.Id] + 2).Select(s => (long)s), sequences);
            var verification = await _chat.Messaging(m => m.VerifyChainAsync(buyer, chat.Id));
            Assert.True(verification.IsIntact);
        }
    }

    [Fact]
    public async Task Give_each_send_of_a_mixed_batch_its_own_answer()
    {
        // One writer, so the sends queued behind the blocked batch all go out together in the next one.
        await using var h = await ChatHarness.StartAsync(
            postgres, o => { o.MaxMessageLength = 500; o.GroupCommitWriters = 1; }, nameof(GroupCommitShould) + "One");
        var (_, blocker, blockerBuyer, _) = await h.NewTransactionAsync(paid: true);
        var (_, open, buyer, seller) = await h.NewTransactionAsync(paid: true);
        var (freezingId, freezing, freezingBuyer, _) = await h.NewTransactionAsync(paid: true);
        var (_, other, otherBuyer, _) = await h.NewTransactionAsync(paid: true);
        var storedId = Guid.NewGuid();
        var stored = await h.Messaging(m => m.SendTextAsync(buyer, open.Id, storedId, "sent before"));
        var foreignId = Guid.NewGuid();
        await h.Messaging(m => m.SendTextAsync(otherBuyer, other.Id, foreignId, "another chat's message"));
        var queue = h.Scope().ServiceProvider.GetRequiredService<AppendQueue>();

        // Hold one conversation's row lock so the writer waits inside a batch while the mixed sends pile up behind it.
        await using var holder = h.Scope();
        var db = holder.ServiceProvider.GetRequiredService<ChatTestDbContext>();
        await using var hold = await db.Database.BeginTransactionAsync();
        await db.Set<ConversationRecord>().Where(c => c.Id == blocker.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.UpdatedAt, c => c.UpdatedAt));
        var blocked = h.Messaging(m => m.SendTextAsync(blockerBuyer, blocker.Id, Guid.NewGuid(), "waits for the lock"));
        await Until(() => queue.InFlight == 1);

        var allowedA = h.Messaging(m => m.SendTextAsync(buyer, open.Id, Guid.NewGuid(), "allowed one"));
        var allowedB = h.Messaging(m => m.SendTextAsync(seller, open.Id, Guid.NewGuid(), "allowed two"));
        var intoFreezing = h.Messaging(m => m.SendTextAsync(freezingBuyer, freezing.Id, Guid.NewGuid(), "just too late"));
        var retry = h.Messaging(m => m.SendTextAsync(buyer, open.Id, storedId, "sent before"));
        var reused = h.Messaging(m => m.SendTextAsync(buyer, open.Id, foreignId, "reuses another chat's id"));
        await Until(() => queue.Waiting == 5);
        await h.Lifecycle(l => l.OpenDisputeAsync(freezingId, "d-" + freezingId));
        var invalid = await Assert.ThrowsAsync<ChatException>(() => h.Messaging(m => m.SendTextAsync(buyer, open.Id, Guid.NewGuid(), "   ")));
        await hold.RollbackAsync();

        await blocked.WaitAsync(Timeout);
        var a = await allowedA.WaitAsync(Timeout);
        var b = await allowedB.WaitAsync(Timeout);
        var frozen = await Assert.ThrowsAsync<ChatException>(() => intoFreezing.WaitAsync(Timeout));
        var again = await retry.WaitAsync(Timeout);
        var conflict = await Assert.ThrowsAsync<ChatException>(() => reused.WaitAsync(Timeout));

        Assert.Equal(ChatErrorCode.MessageEmpty, invalid.Code);
        Assert.Equal(ChatErrorCode.ChatFrozen, frozen.Code);
        Assert.Equal(ChatErrorCode.MessageIdConflict, conflict.Code);
        Assert.Equal(stored, again);
        Assert.Equal([stored.Sequence + 1, stored.Sequence + 2], new[] { a.Sequence, b.Sequence }.Order());
        var sequences = await h.Db(d => d.Set<EntryRecord>().Where(e => e.ConversationId == open.Id).OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync());
        Assert.Equal(Enumerable.Range(1, (int)stored.Sequence + 2).Select(s => (long)s), sequences);
        Assert.Equal(1, await h.Db(d => d.Set<EntryRecord>().CountAsync(e => e.Id == storedId)));
        Assert.Equal(0, await h.Db(d => d.Set<EntryRecord>().CountAsync(e => e.ConversationId == freezing.Id && e.Text == "just too late")));
        Assert.True((await h.Messaging(m => m.VerifyChainAsync(buyer, open.Id))).IsIntact);
    }

    [Fact]
    public async Task Write_each_send_notification_in_the_same_transaction()
    {
        var (_, chat, buyer, seller) = await _chat.NewTransactionAsync(paid: true);

        var sent = await _chat.Messaging(m => m.SendTextAsync(buyer, chat.Id, Guid.NewGuid(), "Hello seller"));

        var notified = await _chat.Db(db => db.Set<NotificationRecord>().Where(n => n.MessageId == sent.Id).Select(n => n.RecipientId).ToListAsync());
        Assert.Equal([seller.UserId], notified);
        var read = await _chat.Db(db => db.Set<ParticipantRecord>().Where(p => p.ConversationId == chat.Id && p.UserId == buyer.UserId)
            .Select(p => p.LastReadSequence).SingleAsync());
        Assert.Equal(sent.Sequence, read);
    }

    private static async Task Until(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }
}
