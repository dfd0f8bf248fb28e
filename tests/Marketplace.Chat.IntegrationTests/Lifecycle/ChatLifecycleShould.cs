using Marketplace.Chat.Conversations;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.IntegrationTests.Lifecycle;

[Collection(PostgresCollection.Name)]
public sealed class ChatLifecycleShould(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private ChatHarness _chat = null!;

    public async Task InitializeAsync() => _chat = await ChatHarness.StartAsync(postgres, name: nameof(ChatLifecycleShould));

    public async Task DisposeAsync() => await _chat.DisposeAsync();

    [Fact]
    public async Task Register_a_locked_chat_with_both_parties_and_announce_it()
    {
        var (id, chat, buyer, seller) = await _chat.NewTransactionAsync();

        Assert.Equal(ChatState.PendingPayment, chat.State);
        Assert.Equal(buyer.UserId, chat.BuyerId);
        var view = await _chat.Messaging(m => m.GetTransactionViewAsync(seller, id));
        Assert.Equal([ParticipantRole.Buyer, ParticipantRole.Seller], view.Participants.Select(p => p.Role).Order());
        var history = await _chat.Messaging(m => m.GetHistoryAsync(buyer, chat.Id, new HistoryQuery()));
        var announcement = Assert.Single(history.Messages);
        Assert.Equal(ChatMessageKind.System, announcement.Kind);
        Assert.Equal("The chat unlocks when payment is confirmed.", announcement.Text);
    }

    [Fact]
    public async Task Return_the_existing_chat_when_a_transaction_is_registered_again()
    {
        var (id, chat, _, _) = await _chat.NewTransactionAsync();

        var again = await _chat.Lifecycle(l => l.RegisterTransactionAsync(id));

        Assert.False(again.Applied);
        Assert.Equal(chat.Id, again.Conversation.Id);
        Assert.Equal(1, await _chat.Db(db => db.Set<ConversationRecord>().CountAsync(c => c.TransactionId == id)));
    }

    [Fact]
    public async Task Refuse_an_unknown_transaction_with_its_code()
    {
        var error = await Assert.ThrowsAsync<ChatException>(() => _chat.Lifecycle(l => l.RegisterTransactionAsync("nobody-knows-me")));

        Assert.Equal(ChatErrorCode.TransactionUnknown, error.Code);
    }

    [Fact]
    public async Task Unlock_on_payment_and_log_the_transition_with_actor_and_time()
    {
        var (id, chat, _, _) = await _chat.NewTransactionAsync();

        var paid = await _chat.Lifecycle(l => l.ConfirmPaymentAsync(id, new ChatEventContext("payments", "evt-1")));

        Assert.True(paid.Applied);
        Assert.Equal(ChatState.Open, paid.Conversation.State);
        var change = Assert.Single(paid.Changes);
        Assert.Equal((ChatState?)ChatState.PendingPayment, change.From);
        var log = await _chat.Db(db => db.Set<TransitionRecord>().Where(t => t.ConversationId == chat.Id).OrderBy(t => t.Id).ToListAsync());
        Assert.Equal(["Registered", "PaymentConfirmed"], log.Select(t => t.Trigger));
        Assert.Equal("payments", log[1].ActorId);
        Assert.Equal(ChatState.PendingPayment, log[1].FromState);
        Assert.Equal(ChatState.Open, log[1].ToState);
        Assert.True(log[1].OccurredAt > DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task Treat_a_redelivered_payment_webhook_as_harmless()
    {
        var (id, chat, _, _) = await _chat.NewTransactionAsync(paid: true);

        var byEventId = await _chat.Lifecycle(l => l.ConfirmPaymentAsync(id, new ChatEventContext("payments", "evt-1")));
        var withoutId = await _chat.Lifecycle(l => l.ConfirmPaymentAsync(id));
        await _chat.Lifecycle(l => l.OpenDisputeAsync(id, "d-" + id));
        var muchLater = await _chat.Lifecycle(l => l.ConfirmPaymentAsync(id));

        Assert.False(byEventId.Applied);
        Assert.False(withoutId.Applied);
        Assert.False(muchLater.Applied);
        Assert.Equal(ChatState.Frozen, muchLater.Conversation.State);
        Assert.Equal(1, await _chat.Db(db => db.Set<TransitionRecord>().CountAsync(t => t.ConversationId == chat.Id && t.Trigger == "PaymentConfirmed")));
    }

    [Fact]
    public async Task Ignore_an_event_whose_id_was_already_applied()
    {
        var (id, _, _, _) = await _chat.NewTransactionAsync();
        await _chat.Lifecycle(l => l.ConfirmPaymentAsync(id, new ChatEventContext(EventId: "pay-42")));

        var replay = await _chat.Lifecycle(l => l.CompleteAsync(id, new ChatEventContext(EventId: "pay-42")));

        Assert.False(replay.Applied);
        Assert.Equal(ChatState.Open, replay.Conversation.State);
    }

    [Fact]
    public async Task Refuse_a_trigger_the_state_does_not_permit_with_a_readable_reason()
    {
        var (id, _, _, _) = await _chat.NewTransactionAsync();

        var error = await Assert.ThrowsAsync<ChatException>(() => _chat.Lifecycle(l => l.CompleteAsync(id)));

        Assert.Equal(ChatErrorCode.TransitionRefused, error.Code);
        Assert.Contains("the chat unlocks when payment is confirmed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_a_dispute_chat_and_freeze_the_transaction_chat_in_one_step()
    {
        var (id, chat, buyer, seller) = await _chat.NewTransactionAsync(paid: true);

        var opened = await _chat.Lifecycle(l => l.OpenDisputeAsync(id, "d-" + id, new ChatEventContext(buyer.UserId)));

        Assert.Equal(ConversationKind.Dispute, opened.Conversation.Kind);
        Assert.Equal(ChatState.Open, opened.Conversation.State);
        Assert.Equal("d-" + id, opened.Conversation.DisputeId);
        Assert.Contains(opened.Changes, c => c.Conversation.Id == chat.Id && c.To == ChatState.Frozen);
        var frozen = await _chat.Messaging(m => m.GetViewAsync(seller, chat.Id));
        Assert.Equal(ChatState.Frozen, frozen.Conversation.State);
        var dispute = await _chat.Messaging(m => m.GetDisputeViewAsync(seller, "d-" + id));
        Assert.Equal(opened.Conversation.Id, dispute.Conversation.Id);

        var twice = await _chat.Lifecycle(l => l.OpenDisputeAsync(id, "d-" + id));
        Assert.False(twice.Applied);
        Assert.Equal(opened.Conversation.Id, twice.Conversation.Id);
    }

    [Fact]
    public async Task Close_or_resume_the_transaction_chat_as_the_outcome_says()
    {
        var (closing, closingChat, _, _) = await _chat.NewTransactionAsync(paid: true);
        var (resuming, resumingChat, _, _) = await _chat.NewTransactionAsync(paid: true);
        await _chat.Lifecycle(l => l.OpenDisputeAsync(closing, "d-" + closing));
        await _chat.Lifecycle(l => l.OpenDisputeAsync(resuming, "d-" + resuming));

        var closed = await _chat.Lifecycle(l => l.ResolveDisputeAsync("d-" + closing, DisputeOutcome.CloseTransaction, new ChatEventContext("admin-1")));
        var resumed = await _chat.Lifecycle(l => l.ResolveDisputeAsync("d-" + resuming, DisputeOutcome.ResumeTransaction));

        Assert.Equal(ChatState.Resolved, closed.Conversation.State);
        Assert.Equal(DisputeOutcome.CloseTransaction, closed.Conversation.Outcome);
        Assert.Contains(closed.Changes, c => c.Conversation.Id == closingChat.Id && c.To == ChatState.Closed);
        Assert.Contains(resumed.Changes, c => c.Conversation.Id == resumingChat.Id && c.To == ChatState.Open);

        var again = await _chat.Lifecycle(l => l.ResolveDisputeAsync("d-" + closing, DisputeOutcome.CloseTransaction));
        Assert.False(again.Applied);
        var contradicting = await Assert.ThrowsAsync<ChatException>(
            () => _chat.Lifecycle(l => l.ResolveDisputeAsync("d-" + closing, DisputeOutcome.ResumeTransaction)));
        Assert.Equal(ChatErrorCode.TransitionRefused, contradicting.Code);
    }

    [Fact]
    public async Task Freeze_a_resumed_transaction_again_when_its_dispute_is_reopened()
    {
        var (id, chat, _, _) = await _chat.NewTransactionAsync(paid: true);
        await _chat.Lifecycle(l => l.OpenDisputeAsync(id, "d-" + id));
        await _chat.Lifecycle(l => l.ResolveDisputeAsync("d-" + id, DisputeOutcome.ResumeTransaction));

        var reopened = await _chat.Lifecycle(l => l.ReopenDisputeAsync("d-" + id));

        Assert.Equal(ChatState.Open, reopened.Conversation.State);
        Assert.Contains(reopened.Changes, c => c.Conversation.Id == chat.Id && c.To == ChatState.Frozen);
        var closedForGood = await _chat.Lifecycle(l => l.ResolveDisputeAsync("d-" + id, DisputeOutcome.CloseTransaction));
        Assert.Contains(closedForGood.Changes, c => c.Conversation.Id == chat.Id && c.To == ChatState.Closed);
    }

    [Fact]
    public async Task Let_exactly_one_of_two_racing_triggers_win_and_re_evaluate_the_other()
    {
        for (var round = 0; round < 10; round++)
        {
            var (id, chat, _, _) = await _chat.NewTransactionAsync(paid: true);
            using var start = new ManualResetEventSlim();
            var complete = Task.Run(async () => { start.Wait(); return await Outcome(() => _chat.Lifecycle(l => l.CompleteAsync(id))); });
            var dispute = Task.Run(async () => { start.Wait(); return await Outcome(() => _chat.Lifecycle(l => l.OpenDisputeAsync(id, "d-" + id))); });
            start.Set();
            var outcomes = await Task.WhenAll(complete, dispute).WaitAsync(Timeout);

            Assert.Single(outcomes, o => o == "applied");
            Assert.Single(outcomes, o => o == nameof(ChatErrorCode.TransitionRefused));
            var log = await _chat.Db(db => db.Set<TransitionRecord>().Where(t => t.ConversationId == chat.Id).OrderBy(t => t.Id).ToListAsync());
            Assert.Equal(3, log.Count);
            Assert.Equal(ChatState.Open, log[2].FromState);
            var final = await _chat.Db(db => db.Set<ConversationRecord>().SingleAsync(c => c.Id == chat.Id));
            Assert.Equal(log[2].ToState, final.State);
            Assert.Equal(3, final.Version);
        }
    }

    [Fact]
    public async Task Apply_a_payment_confirmed_ten_times_at_once_exactly_once()
    {
        var (id, chat, _, _) = await _chat.NewTransactionAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(
            _ => Task.Run(() => _chat.Lifecycle(l => l.ConfirmPaymentAsync(id))))).WaitAsync(Timeout);

        Assert.Single(results, r => r.Applied);
        Assert.All(results, r => Assert.Equal(ChatState.Open, r.Conversation.State));
        Assert.Equal(1, await _chat.Db(db => db.Set<TransitionRecord>().CountAsync(t => t.ConversationId == chat.Id && t.Trigger == "PaymentConfirmed")));
    }

    [Fact]
    public async Task Announce_every_transition_in_the_chat_as_a_system_message()
    {
        var (id, chat, buyer, _) = await _chat.NewTransactionAsync(paid: true);
        await _chat.Lifecycle(l => l.OpenDisputeAsync(id, "d-" + id));
        await _chat.Lifecycle(l => l.ResolveDisputeAsync("d-" + id, DisputeOutcome.CloseTransaction));

        var history = await _chat.Messaging(m => m.GetHistoryAsync(buyer, chat.Id, new HistoryQuery(AfterSequence: 0)));

        Assert.Equal(["Registered", "PaymentConfirmed", "DisputeOpened", "DisputeResolvedClose"], history.Messages.Select(m => m.SystemCode));
        Assert.All(history.Messages, m => Assert.Equal(ChatMessageKind.System, m.Kind));
        Assert.Equal([1L, 2L, 3L, 4L], history.Messages.Select(m => m.Sequence));
    }

    private static async Task<string> Outcome(Func<Task<LifecycleResult>> call)
    {
        try
        {
            var result = await call();
            return result.Applied ? "applied" : "unchanged";
        }
        catch (ChatException e)
        {
            return e.Code.ToString();
        }
    }
}
