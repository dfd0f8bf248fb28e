using Marketplace.Chat.Access;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.IntegrationTests.Messages;

[Collection(PostgresCollection.Name)]
public sealed class ChatMessagingShould(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private ChatHarness _chat = null!;

    public async Task InitializeAsync() => _chat = await ChatHarness.StartAsync(
        postgres, o => { o.MaxMessageLength = 500; o.EditWindow = TimeSpan.FromMinutes(10); }, nameof(ChatMessagingShould));

    public async Task DisposeAsync() => await _chat.DisposeAsync();

    [Fact]
    public async Task Give_fifty_concurrent_senders_gap_free_sequences()
    {
        var (_, chat, buyer, seller) = await _chat.NewTransactionAsync(paid: true);
        using var start = new ManualResetEventSlim();

        var sends = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await _chat.Messaging(m => m.SendTextAsync(i % 2 == 0 ? buyer : seller, chat.Id, Guid.NewGuid(), $"message {i}"));
        })).ToList();
        start.Set();
        var sent = await Task.WhenAll(sends).WaitAsync(Timeout);

        var sequences = await _chat.Db(db => db.Set<EntryRecord>().Where(m => m.ConversationId == chat.Id)
            .OrderBy(m => m.Sequence).Select(m => m.Sequence).ToListAsync());
        Assert.Equal(Enumerable.Range(1, 52).Select(i => (long)i), sequences);
        Assert.Equal(50, sent.Select(m => m.Sequence).Distinct().Count());
        var verification = await _chat.Messaging(m => m.VerifyChainAsync(buyer, chat.Id));
        Assert.True(verification.IsIntact);
        Assert.Equal(52, verification.MessageCount);
    }

    [Fact]
    public async Task Return_the_first_message_when_a_send_is_retried()
    {
        var (_, chat, buyer, _) = await _chat.NewTransactionAsync(paid: true);
        var id = Guid.NewGuid();

        var first = await _chat.Messaging(m => m.SendTextAsync(buyer, chat.Id, id, "Is it still available?"));
        var retry = await _chat.Messaging(m => m.SendTextAsync(buyer, chat.Id, id, "Is it still available?"));

        Assert.Equal(first, retry);
        Assert.Equal(1, await _chat.Db(db => db.Set<EntryRecord>().CountAsync(m => m.Id == id)));
    }

    [Fact]
    public async Task Return_the_stored_message_when_a_send_is_retried_after_the_chat_froze()
    {
        var (id, chat, buyer, _) = await _chat.NewTransactionAsync(paid: true);
        var messageId = Guid.NewGuid();
        var first = await _chat.Messaging(m => m.SendTextAsync(buyer, chat.Id, messageId, "Sent just before the dispute"));
        await _chat.Lifecycle(l => l.OpenDisputeAsync(id, "d-" + id));

        var retry = await _chat.Messaging(m => m.SendTextAsync(buyer, chat.Id, messageId, "Sent just before the dispute"));
        var fresh = await Assert.ThrowsAsync<ChatException>(() => _chat.Messaging(m => m.SendTextAsync(buyer, chat.Id, Guid.NewGuid(), "new")));

        Assert.Equal(first, retry);
        Assert.Equal(ChatErrorCode.ChatFrozen, fresh.Code);
    }

    [Fact]
    public async Task Store_one_copy_when_retries_of_one_send_race()
    {
        var (_, chat, buyer, _) = await _chat.NewTransactionAsync(paid: true);
        var id = Guid.NewGuid();
        using var start = new ManualResetEventSlim();

        var retries = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await _chat.Messaging(m => m.SendTextAsync(buyer, chat.Id, id, "once"));
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(retries).WaitAsync(Timeout);

        Assert.Single(results.Select(r => r.Sequence).Distinct());
        Assert.Equal(1, await _chat.Db(db => db.Set<EntryRecord>().CountAsync(m => m.Id == id)));
        var sequences = await _chat.Db(db => db.Set<EntryRecord>().Where(m => m.ConversationId == chat.Id).Select(m => m.Sequence).OrderBy(s => s).ToListAsync());
        Assert.Equal([1L, 2L, 3L], sequences);
    }

    [Fact]
    public async Task Refuse_a_message_id_reused_by_someone_else()
    {
        var (_, chat, buyer, seller) = await _chat.NewTransactionAsync(paid: true);
        var id = Guid.NewGuid();
        await _chat.Messaging(m => m.SendTextAsync(buyer, chat.Id, id, "mine"));

        var error = await Assert.ThrowsAsync<ChatException>(() => _chat.Messaging(m => m.SendTextAsync(seller, chat.Id, id, "also mine?")));

        Assert.Equal(ChatErrorCode.MessageIdConflict, error.Code);
    }

    [Fact]
    public async Task Accept_sends_only_after_the_payment_that_races_them_commits()
    {
        var (id, chat, buyer, seller) = await _chat.NewTransactionAsync();
        using var start = new ManualResetEventSlim();
        var outcomes = Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            start.Wait();
            try
            {
                var m = await _chat.Messaging(s => s.SendTextAsync(i % 2 == 0 ? buyer : seller, chat.Id, Guid.NewGuid(), $"hello {i}"));
                return (Code: (ChatErrorCode?)null, Sequence: m.Sequence);
            }
            catch (ChatException e)
            {
                return (Code: (ChatErrorCode?)e.Code, Sequence: 0L);
            }
        })).ToList();
        var payment = Task.Run(async () => { start.Wait(); return await _chat.Lifecycle(l => l.ConfirmPaymentAsync(id)); });
        start.Set();
        var results = await Task.WhenAll(outcomes).WaitAsync(Timeout);
        await payment.WaitAsync(Timeout);

        Assert.All(results, r => Assert.True(r.Code is null or ChatErrorCode.ChatLocked, r.Code?.ToString()));
        var unlockedAt = await _chat.Db(db => db.Set<EntryRecord>()
            .Where(m => m.ConversationId == chat.Id && m.SystemCode == "PaymentConfirmed").Select(m => m.Sequence).SingleAsync());
        Assert.All(results.Where(r => r.Code is null), r => Assert.True(r.Sequence > unlockedAt));
        var stored = await _chat.Db(db => db.Set<EntryRecord>().Where(m => m.ConversationId == chat.Id).OrderBy(m => m.Sequence).ToListAsync());
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Select(m => m.Sequence));
        Assert.Equal(results.Count(r => r.Code is null), stored.Count(m => m.Kind == ChatMessageKind.Text));
        Assert.DoesNotContain(stored, m => m.Kind == ChatMessageKind.Text && m.Sequence < unlockedAt);
    }

    [Fact]
    public async Task Detect_a_tampered_row_in_the_hash_chain()
    {
        var (_, chat, buyer, seller) = await _chat.NewTransactionAsync(paid: true);
        for (var i = 0; i < 5; i++)
        {
            await _chat.Messaging(m => m.SendTextAsync(i % 2 == 0 ? buyer : seller, chat.Id, Guid.NewGuid(), $"offer {i}"));
        }

        Assert.True((await _chat.Messaging(m => m.VerifyChainAsync(seller, chat.Id))).IsIntact);

        await _chat.Db(db => db.Database.ExecuteSqlAsync(
            $"UPDATE chat.chat_entries SET \"Text\" = 'offer 2 (I never said 50 EUR)' WHERE \"ConversationId\" = {chat.Id} AND \"Sequence\" = 5"));
        var broken = await _chat.Messaging(m => m.VerifyChainAsync(seller, chat.Id));

        Assert.False(broken.IsIntact);
        Assert.Equal(5, broken.FirstBrokenSequence);
        Assert.Equal(ChainDamage.ContentChanged, broken.Damage);
    }

    [Fact]
    public async Task Keep_the_chain_intact_across_edits_and_deletes_and_keep_the_original()
    {
        var (_, chat, buyer, seller) = await _chat.NewTransactionAsync(paid: true);
        var typo = await _chat.Messaging(m => m.SendTextAsync(buyer, chat.Id, Guid.NewGuid(), "I offer 500 EUR"));
        var regret = await _chat.Messaging(m => m.SendTextAsync(buyer, chat.Id, Guid.NewGuid(), "never mind"));

        var edited = await _chat.Messaging(m => m.EditAsync(buyer, chat.Id, typo.Id, "I offer 50 EUR"));
        var deleted = await _chat.Messaging(m => m.DeleteAsync(buyer, chat.Id, regret.Id));

        Assert.Equal("I offer 50 EUR", edited.Text);
        Assert.NotNull(edited.EditedAt);
        Assert.True(deleted.IsDeleted);
        Assert.Null(deleted.Text);
        Assert.True((await _chat.Messaging(m => m.VerifyChainAsync(seller, chat.Id))).IsIntact);
        var original = await _chat.Db(db => db.Set<EntryRecord>().SingleAsync(m => m.Id == typo.Id));
        Assert.Equal("I offer 500 EUR", original.Text);
        var edit = await _chat.Db(db => db.Set<EntryRecord>().SingleAsync(m => m.TargetId == typo.Id));
        Assert.Equal((ChatMessageKind.Edit, "I offer 50 EUR", typo.Sequence), (edit.Kind, edit.Text, edit.TargetSequence));
        var stillStored = await _chat.Db(db => db.Set<EntryRecord>().SingleAsync(m => m.Id == regret.Id));
        Assert.Equal("never mind", stillStored.Text);
        var tombstone = await _chat.Db(db => db.Set<EntryRecord>().SingleAsync(m => m.TargetId == regret.Id));
        Assert.Equal((ChatMessageKind.Deletion, null, regret.Sequence), (tombstone.Kind, tombstone.Text, tombstone.TargetSequence));
    }

    [Fact]
    public async Task Let_authors_change_only_their_own_messages_within_the_window_while_open()
    {
        var (id, chat, buyer, seller) = await _chat.NewTransactionAsync(paid: true);
        var message = await _chat.Messaging(m => m.SendTextAsync(buyer, chat.Id, Guid.NewGuid(), "hello"));

        var notYours = await Assert.ThrowsAsync<ChatException>(() => _chat.Messaging(m => m.EditAsync(seller, chat.Id, message.Id, "hacked")));
        Assert.Equal(ChatErrorCode.NotYourMessage, notYours.Code);

        _chat.Clock.Advance(TimeSpan.FromMinutes(11));
        var late = await Assert.ThrowsAsync<ChatException>(() => _chat.Messaging(m => m.EditAsync(buyer, chat.Id, message.Id, "too late")));
        Assert.Equal(ChatErrorCode.EditNotAllowed, late.Code);

        var fresh = await _chat.Messaging(m => m.SendTextAsync(buyer, chat.Id, Guid.NewGuid(), "fresh"));
        await _chat.Lifecycle(l => l.OpenDisputeAsync(id, "d-" + id));
        var frozen = await Assert.ThrowsAsync<ChatException>(() => _chat.Messaging(m => m.DeleteAsync(buyer, chat.Id, fresh.Id)));
        Assert.Equal(ChatErrorCode.ChatFrozen, frozen.Code);
    }

    [Fact]
    public async Task Refuse_empty_and_too_long_text_and_strip_control_characters()
    {
        var (_, chat, buyer, _) = await _chat.NewTransactionAsync(paid: true);

        var empty = await Assert.ThrowsAsync<ChatException>(() => _chat.Messaging(m => m.SendTextAsync(buyer, chat.Id, Guid.NewGuid(), " \u0007\n ")));
        var tooLong = await Assert.ThrowsAsync<ChatException>(() => _chat.Messaging(m => m.SendTextAsync(buyer, chat.Id, Guid.NewGuid(), new string('a', 501))));
        var atLimit = await _chat.Messaging(m => m.SendTextAsync(buyer, chat.Id, Guid.NewGuid(), new string('a', 500)));
        var cleaned = await _chat.Messaging(m => m.SendTextAsync(buyer, chat.Id, Guid.NewGuid(), "pay\u0000 me\r\n<b>now</b>"));

        Assert.Equal(ChatErrorCode.MessageEmpty, empty.Code);
        Assert.Equal(ChatErrorCode.MessageTooLong, tooLong.Code);
        Assert.Equal(500, atLimit.Text!.Length);
        Assert.Equal("pay me\n<b>now</b>", cleaned.Text);
        Assert.Equal(4, await _chat.Db(db => db.Set<EntryRecord>().CountAsync(m => m.ConversationId == chat.Id)));
    }

    [Fact]
    public async Task Page_history_back_newest_first_and_forward_oldest_first()
    {
        var (_, chat, buyer, _) = await _chat.NewTransactionAsync(paid: true);
        for (var i = 3; i <= 12; i++)
        {
            await _chat.Messaging(m => m.SendTextAsync(buyer, chat.Id, Guid.NewGuid(), $"#{i}"));
        }

        var latest = await _chat.Messaging(m => m.GetHistoryAsync(buyer, chat.Id, new HistoryQuery(Limit: 4)));
        var older = await _chat.Messaging(m => m.GetHistoryAsync(buyer, chat.Id, new HistoryQuery(BeforeSequence: 9, Limit: 4)));
        var gapFill = await _chat.Messaging(m => m.GetHistoryAsync(buyer, chat.Id, new HistoryQuery(AfterSequence: 10, Limit: 4)));
        var oldest = await _chat.Messaging(m => m.GetHistoryAsync(buyer, chat.Id, new HistoryQuery(BeforeSequence: 3, Limit: 4)));

        Assert.Equal([12L, 11L, 10L, 9L], latest.Messages.Select(m => m.Sequence));
        Assert.True(latest.HasMore);
        Assert.Equal([8L, 7L, 6L, 5L], older.Messages.Select(m => m.Sequence));
        Assert.Equal([11L, 12L], gapFill.Messages.Select(m => m.Sequence));
        Assert.False(gapFill.HasMore);
        Assert.Equal([2L, 1L], oldest.Messages.Select(m => m.Sequence));
        Assert.False(oldest.HasMore);
    }

    [Fact]
    public async Task Count_unread_messages_from_others_and_move_the_read_position_forward_only()
    {
        var (_, chat, buyer, seller) = await _chat.NewTransactionAsync(paid: true);
        await _chat.Messaging(m => m.SendTextAsync(seller, chat.Id, Guid.NewGuid(), "one"));
        await _chat.Messaging(m => m.SendTextAsync(seller, chat.Id, Guid.NewGuid(), "two"));
        var mine = await _chat.Messaging(m => m.SendTextAsync(buyer, chat.Id, Guid.NewGuid(), "mine"));
        await _chat.Messaging(m => m.SendTextAsync(seller, chat.Id, Guid.NewGuid(), "three"));

        var buyerView = await _chat.Messaging(m => m.GetViewAsync(buyer, chat.Id));
        Assert.Equal(mine.Sequence, buyerView.LastReadSequence);
        Assert.Equal(1, buyerView.UnreadCount);
        var sellerView = await _chat.Messaging(m => m.GetViewAsync(seller, chat.Id));
        Assert.Equal(6, sellerView.LastReadSequence);
        Assert.Equal(0, sellerView.UnreadCount);

        Assert.Equal(0, await _chat.Messaging(m => m.MarkReadAsync(buyer, chat.Id, 999)));
        Assert.Equal(0, await _chat.Messaging(m => m.MarkReadAsync(buyer, chat.Id, 2)));
        Assert.Equal(6, (await _chat.Messaging(m => m.GetViewAsync(buyer, chat.Id))).LastReadSequence);
    }

    [Fact]
    public async Task Tell_an_outsider_the_same_thing_whether_or_not_the_chat_exists()
    {
        var (id, chat, _, _) = await _chat.NewTransactionAsync(paid: true);
        var outsider = new ChatUser("mallory");

        var existing = await Assert.ThrowsAsync<ChatException>(() => _chat.Messaging(m => m.GetHistoryAsync(outsider, chat.Id, new HistoryQuery())));
        var missing = await Assert.ThrowsAsync<ChatException>(() => _chat.Messaging(m => m.GetHistoryAsync(outsider, Guid.NewGuid(), new HistoryQuery())));
        var byTransaction = await Assert.ThrowsAsync<ChatException>(() => _chat.Messaging(m => m.GetTransactionViewAsync(outsider, id)));
        var noSuchTransaction = await Assert.ThrowsAsync<ChatException>(() => _chat.Messaging(m => m.GetTransactionViewAsync(outsider, "tx-none")));
        var send = await Assert.ThrowsAsync<ChatException>(() => _chat.Messaging(m => m.SendTextAsync(outsider, chat.Id, Guid.NewGuid(), "hi")));

        foreach (var error in new[] { existing, missing, byTransaction, noSuchTransaction, send })
        {
            Assert.Equal(ChatErrorCode.ConversationNotAvailable, error.Code);
            Assert.Equal(ChatAccessPolicy.NotAvailableReason, error.Message);
        }
    }

    [Fact]
    public async Task Let_an_admin_join_and_write_in_a_dispute_but_only_read_the_frozen_transaction_chat()
    {
        var (id, chat, buyer, _) = await _chat.NewTransactionAsync(paid: true);
        var admin = new ChatUser("admin-1", IsAdmin: true);
        var beforeDispute = await Assert.ThrowsAsync<ChatException>(() => _chat.Messaging(m => m.GetViewAsync(admin, chat.Id)));
        Assert.Equal(ChatErrorCode.ConversationNotAvailable, beforeDispute.Code);
        var dispute = (await _chat.Lifecycle(l => l.OpenDisputeAsync(id, "d-" + id, new ChatEventContext(buyer.UserId)))).Conversation;

        var joined = await _chat.Messaging(m => m.GetDisputeViewAsync(admin, "d-" + id));
        var written = await _chat.Messaging(m => m.SendTextAsync(admin, dispute.Id, Guid.NewGuid(), "I am looking into it."));
        var evidence = await _chat.Messaging(m => m.GetHistoryAsync(admin, chat.Id, new HistoryQuery()));
        var readOnly = await Assert.ThrowsAsync<ChatException>(() => _chat.Messaging(m => m.SendTextAsync(admin, chat.Id, Guid.NewGuid(), "no")));

        Assert.Equal(ChatState.UnderReview, joined.Conversation.State);
        Assert.Equal(ParticipantRole.Admin, joined.Relation);
        Assert.Contains(joined.Participants, p => p.UserId == admin.UserId && p.Role == ParticipantRole.Admin);
        Assert.Equal(ParticipantRole.Admin, written.SenderRole);
        Assert.NotEmpty(evidence.Messages);
        Assert.Equal(ChatErrorCode.ReadOnly, readOnly.Code);
        var announcements = await _chat.Db(db => db.Set<EntryRecord>()
            .CountAsync(m => m.ConversationId == dispute.Id && m.SystemCode == "AdminJoined"));
        Assert.Equal(1, announcements);

        await _chat.Messaging(m => m.GetDisputeViewAsync(admin, "d-" + id));
        var second = new ChatUser("admin-2", IsAdmin: true);
        await _chat.Messaging(m => m.SendTextAsync(second, dispute.Id, Guid.NewGuid(), "Second opinion."));
        Assert.Equal(2, await _chat.Db(db => db.Set<EntryRecord>().CountAsync(m => m.ConversationId == dispute.Id && m.SystemCode == "AdminJoined")));
        Assert.True((await _chat.Messaging(m => m.VerifyChainAsync(admin, dispute.Id))).IsIntact);
    }

    [Fact]
    public async Task Refuse_writes_in_every_state_but_open_with_the_state_code()
    {
        var (id, chat, buyer, _) = await _chat.NewTransactionAsync();
        async Task<ChatErrorCode> Attempt() =>
            (await Assert.ThrowsAsync<ChatException>(() => _chat.Messaging(m => m.SendTextAsync(buyer, chat.Id, Guid.NewGuid(), "hi")))).Code;

        Assert.Equal(ChatErrorCode.ChatLocked, await Attempt());
        await _chat.Lifecycle(l => l.ConfirmPaymentAsync(id));
        await _chat.Messaging(m => m.SendTextAsync(buyer, chat.Id, Guid.NewGuid(), "now it works"));
        await _chat.Lifecycle(l => l.OpenDisputeAsync(id, "d-" + id));
        Assert.Equal(ChatErrorCode.ChatFrozen, await Attempt());
        await _chat.Lifecycle(l => l.ResolveDisputeAsync("d-" + id, DisputeOutcome.CloseTransaction));
        Assert.Equal(ChatErrorCode.ChatClosed, await Attempt());
        var disputeWrite = await Assert.ThrowsAsync<ChatException>(async () =>
        {
            var view = await _chat.Messaging(m => m.GetDisputeViewAsync(buyer, "d-" + id));
            await _chat.Messaging(m => m.SendTextAsync(buyer, view.Conversation.Id, Guid.NewGuid(), "late"));
        });
        Assert.Equal(ChatErrorCode.DisputeResolved, disputeWrite.Code);
    }
}
