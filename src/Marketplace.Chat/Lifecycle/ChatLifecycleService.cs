using Marketplace.Chat.Conversations;
using Marketplace.Chat.Diagnostics;
using Marketplace.Chat.Events;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Persistence;
using Marketplace.Chat.Validation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Lifecycle;

/// <summary>
/// Fires lifecycle triggers. Each attempt reads the conversation, asks the lifecycle machine, then writes the new state
/// with a version check (the concurrency token). Losing a race rolls the attempt back and re-evaluates the trigger
/// against the state that won, so no update is ever lost.
/// </summary>
internal sealed class ChatLifecycleService(
    ChatStore store,
    ConversationLog log,
    HostNoticeWriter notices,
    ITransactionPartyResolver partyResolver,
    ChatEventPublisher events,
    ChatMetrics metrics,
    IOptions<ChatOptions> options,
    ILogger<ChatLifecycleService> logger) : IChatLifecycle
{
    private const string RegisteredTrigger = "Registered";

    public async Task<LifecycleResult> RegisterTransactionAsync(
        string transactionId, TransactionParties? parties, ChatEventContext? context, CancellationToken cancellationToken)
    {
        RequireId(transactionId, nameof(transactionId));
        context = ChatInput.Context(context);
        var key = ChatModelConfiguration.TransactionKey(transactionId);
        var existing = await FindAsync(key, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return new LifecycleResult(existing.ToInfo(), false, []);
        }

        parties ??= await partyResolver.FindPartiesAsync(transactionId, cancellationToken).ConfigureAwait(false)
            ?? throw new ChatException(ChatErrorCode.TransactionUnknown, $"The marketplace does not know transaction '{transactionId}'.");
        RequireId(parties.BuyerId, "buyer id");
        RequireId(parties.SellerId, "seller id");
        if (string.Equals(parties.BuyerId, parties.SellerId, StringComparison.Ordinal))
        {
            throw new ChatException(ChatErrorCode.InvalidArgument, "The buyer and the seller of a transaction must be different users.");
        }

        var now = store.Now();
        var conversation = new ConversationRecord
        {
            Id = Guid.NewGuid(),
            Key = key,
            Kind = ConversationKind.Transaction,
            TransactionId = transactionId,
            State = ChatState.PendingPayment,
            BuyerId = parties.BuyerId,
            SellerId = parties.SellerId,
            Version = 1,
            CreatedAt = now,
            UpdatedAt = now,
        };
        EntryRecord? announcement = null;
        try
        {
            await store.InTransactionAsync(
                _ =>
                {
                    announcement = AddNewConversation(
                        conversation, context, now, "The chat unlocks when payment is confirmed.", RegisteredTrigger);
                    return Task.FromResult(true);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another request registered the same transaction first: theirs stands.
            var raced = await FindAsync(key, cancellationToken).ConfigureAwait(false);
            if (raced is null)
            {
                throw;
            }

            return new LifecycleResult(raced.ToInfo(), false, []);
        }

        ChatLog.TransactionRegistered(logger, conversation.Id, transactionId);
        var change = new ChatStateChange(conversation.ToInfo(), null, conversation.State, RegisteredTrigger, context.ActorId, now);
        await events.StateChangedAsync(change, CancellationToken.None).ConfigureAwait(false);
        await events.MessageAddedAsync(change.Conversation, EntryProjection.ToMessage(announcement!, null, null), CancellationToken.None).ConfigureAwait(false);
        return new LifecycleResult(change.Conversation, true, [change]);
    }

    public Task<ChatMessage> PostNoticeAsync(string transactionId, string eventId, ChatNotice notice, CancellationToken cancellationToken)
    {
        RequireId(transactionId, nameof(transactionId));
        return notices.PostAsync(ChatModelConfiguration.TransactionKey(transactionId), $"transaction '{transactionId}'", eventId, notice, cancellationToken);
    }

    public Task<ChatMessage> PostDisputeNoticeAsync(string disputeId, string eventId, ChatNotice notice, CancellationToken cancellationToken)
    {
        RequireId(disputeId, nameof(disputeId));
        return notices.PostAsync(ChatModelConfiguration.DisputeKey(disputeId), $"dispute '{disputeId}'", eventId, notice, cancellationToken);
    }

    public Task<LifecycleResult> ConfirmPaymentAsync(string transactionId, ChatEventContext? context, CancellationToken cancellationToken) =>
        FireOnTransactionAsync(transactionId, ChatTrigger.PaymentConfirmed, context, cancellationToken);

    public Task<LifecycleResult> CompleteAsync(string transactionId, ChatEventContext? context, CancellationToken cancellationToken) =>
        FireOnTransactionAsync(transactionId, ChatTrigger.Completed, context, cancellationToken);

    public Task<LifecycleResult> CancelAsync(string transactionId, ChatEventContext? context, CancellationToken cancellationToken) =>
        FireOnTransactionAsync(transactionId, ChatTrigger.Cancelled, context, cancellationToken);

    public Task<LifecycleResult> RefundAsync(string transactionId, ChatEventContext? context, CancellationToken cancellationToken) =>
        FireOnTransactionAsync(transactionId, ChatTrigger.Refunded, context, cancellationToken);

    public async Task<LifecycleResult> OpenDisputeAsync(
        string transactionId, string disputeId, ChatEventContext? context, CancellationToken cancellationToken)
    {
        RequireId(transactionId, nameof(transactionId));
        RequireId(disputeId, nameof(disputeId));
        context = ChatInput.Context(context);
        var disputeKey = ChatModelConfiguration.DisputeKey(disputeId);

        for (var attempt = 1; ; attempt++)
        {
            if (await FindAsync(disputeKey, cancellationToken).ConfigureAwait(false) is { } opened)
            {
                return SameDispute(opened, transactionId);
            }

            var transaction = await RequireTransactionAsync(transactionId, cancellationToken).ConfigureAwait(false);
            var rule = Permit(transaction, ChatTrigger.DisputeOpened);
            var now = store.Now();
            var dispute = new ConversationRecord
            {
                Id = Guid.NewGuid(),
                Key = disputeKey,
                Kind = ConversationKind.Dispute,
                TransactionId = transactionId,
                DisputeId = disputeId,
                TransactionConversationId = transaction.Id,
                State = ChatState.Open,
                BuyerId = transaction.BuyerId,
                SellerId = transaction.SellerId,
                Version = 1,
                CreatedAt = now,
                UpdatedAt = now,
            };
            var applied = new AppliedChanges();
            try
            {
                await store.InTransactionAsync(
                    async ct =>
                    {
                        await ApplyOrRaceAsync(transaction, rule, context, now, applied, ct, markDisputed: true).ConfigureAwait(false);
                        var message = AddNewConversation(
                            dispute, context, now, "A dispute was opened. An administrator will join this chat.", ChatTrigger.DisputeOpened.ToString());
                        applied.Add(
                            new ChatStateChange(dispute.ToInfo(), null, ChatState.Open, ChatTrigger.DisputeOpened.ToString(), context.ActorId, now),
                            message);
                        return true;
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (TransitionRaceException)
            {
                ThrowIfExhausted(attempt);
                ChatLog.TransitionRaced(logger, nameof(ChatTrigger.DisputeOpened), transaction.Id, attempt);
                continue;
            }
            catch (DbUpdateException)
            {
                var raced = await FindAsync(disputeKey, cancellationToken).ConfigureAwait(false);
                if (raced is null)
                {
                    throw;
                }

                return SameDispute(raced, transactionId);
            }

            await PublishAsync(applied).ConfigureAwait(false);
            return new LifecycleResult(dispute.ToInfo(), true, applied.Changes);
        }
    }

    public async Task<LifecycleResult> ResolveDisputeAsync(
        string disputeId, DisputeOutcome outcome, ChatEventContext? context, CancellationToken cancellationToken)
    {
        RequireId(disputeId, nameof(disputeId));
        if (!Enum.IsDefined(outcome))
        {
            throw new ChatException(ChatErrorCode.InvalidArgument, "The dispute outcome is not one of CloseTransaction or ResumeTransaction.");
        }

        context = ChatInput.Context(context);
        for (var attempt = 1; ; attempt++)
        {
            var dispute = await RequireDisputeAsync(disputeId, cancellationToken).ConfigureAwait(false);
            if (await SeenEventAsync(dispute.Id, context, cancellationToken).ConfigureAwait(false))
            {
                return Unchanged(dispute);
            }

            var decision = Evaluate(dispute, ChatTrigger.DisputeResolved);
            if (!decision.IsPermitted)
            {
                if (dispute.State == ChatState.Resolved && dispute.Outcome == outcome
                    && await LastTriggerIsAsync(dispute.Id, ChatTrigger.DisputeResolved, cancellationToken).ConfigureAwait(false))
                {
                    return Redelivered(dispute, ChatTrigger.DisputeResolved);
                }

                throw Refuse(dispute, ChatTrigger.DisputeResolved, decision.RefusalReason!);
            }

            var transaction = await store.Conversations.AsNoTracking()
                .SingleAsync(c => c.Id == dispute.TransactionConversationId, cancellationToken).ConfigureAwait(false);
            ChatTransitionRule? transactionRule = null;
            if (!(transaction.State == ChatState.Closed && outcome == DisputeOutcome.CloseTransaction))
            {
                var trigger = outcome == DisputeOutcome.CloseTransaction ? ChatTrigger.DisputeResolvedClose : ChatTrigger.DisputeResolvedResume;
                transactionRule = Permit(transaction, trigger);
            }

            var plan = new List<PlannedTransition> { new(dispute, decision.Rule!, outcome) };
            if (transactionRule is not null)
            {
                plan.Add(new(transaction, transactionRule));
            }

            if (await CommitAsync(plan, context, attempt, cancellationToken).ConfigureAwait(false) is { } applied)
            {
                return new LifecycleResult(applied.Changes[0].Conversation, true, applied.Changes);
            }
        }
    }

    public async Task<LifecycleResult> ReopenDisputeAsync(string disputeId, ChatEventContext? context, CancellationToken cancellationToken)
    {
        RequireId(disputeId, nameof(disputeId));
        context = ChatInput.Context(context);
        for (var attempt = 1; ; attempt++)
        {
            var dispute = await RequireDisputeAsync(disputeId, cancellationToken).ConfigureAwait(false);
            if (await SeenEventAsync(dispute.Id, context, cancellationToken).ConfigureAwait(false))
            {
                return Unchanged(dispute);
            }

            var decision = Evaluate(dispute, ChatTrigger.Reopened);
            if (!decision.IsPermitted)
            {
                if (await LastTriggerIsAsync(dispute.Id, ChatTrigger.Reopened, cancellationToken).ConfigureAwait(false))
                {
                    return Redelivered(dispute, ChatTrigger.Reopened);
                }

                throw Refuse(dispute, ChatTrigger.Reopened, decision.RefusalReason!);
            }

            var transaction = await store.Conversations.AsNoTracking()
                .SingleAsync(c => c.Id == dispute.TransactionConversationId, cancellationToken).ConfigureAwait(false);

            // A transaction that went on after the resolution freezes again; one that was closed stays closed.
            var transactionRule = transaction.State == ChatState.Open
                ? Permit(transaction, ChatTrigger.DisputeReopened)
                : null;
            var plan = new List<PlannedTransition> { new(dispute, decision.Rule!) };
            if (transactionRule is not null)
            {
                plan.Add(new(transaction, transactionRule));
            }

            if (await CommitAsync(plan, context, attempt, cancellationToken).ConfigureAwait(false) is { } applied)
            {
                return new LifecycleResult(applied.Changes[0].Conversation, true, applied.Changes);
            }
        }
    }

    /// <summary>
    /// Makes an administrator a participant of a dispute chat on their first join or message, announcing it to the
    /// parties; the first administrator moves the dispute from Open to UnderReview. Returns false when already joined.
    /// </summary>
    public async Task<bool> JoinAsAdminAsync(Guid disputeConversationId, ChatUser admin, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var dispute = await store.Conversations.AsNoTracking()
                .SingleOrDefaultAsync(c => c.Id == disputeConversationId && c.Kind == ConversationKind.Dispute, cancellationToken)
                .ConfigureAwait(false);
            if (dispute is null)
            {
                return false;
            }

            if (await store.Participants.AnyAsync(
                    p => p.ConversationId == dispute.Id && p.UserId == admin.UserId, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            var context = new ChatEventContext(admin.UserId);
            var decision = ChatLifecycleMachine.Evaluate(
                ConversationKind.Dispute, dispute.State, ChatTrigger.AdminJoined, new TransitionFacts(ActorIsAdmin: admin.IsAdmin));
            if (!decision.IsPermitted && !admin.IsAdmin)
            {
                // The machine's guard refuses a non-administrator while the dispute is open; no other state adds one either.
                ChatLog.TriggerRefused(logger, nameof(ChatTrigger.AdminJoined), dispute.Id, dispute.State.ToString(), decision.RefusalReason!);
                return false;
            }

            var now = store.Now();
            var applied = new AppliedChanges();
            try
            {
                await store.InTransactionAsync(
                    async ct =>
                    {
                        if (decision.IsPermitted)
                        {
                            await ApplyOrRaceAsync(dispute, decision.Rule!, context, now, applied, ct).ConfigureAwait(false);
                        }
                        else
                        {
                            var joined = await log.AppendAsync(
                                    dispute.Id, EntryDraft.System(nameof(ChatTrigger.AdminJoined), "An administrator joined the dispute.", now), null, ct)
                                .ConfigureAwait(false);
                            applied.Messages.Add((joined!.Conversation.ToInfo(), joined.Entry));
                        }

                        store.Participants.Add(new ParticipantRecord
                        {
                            ConversationId = dispute.Id,
                            UserId = admin.UserId,
                            Role = ParticipantRole.Admin,
                            JoinedAt = now,
                        });
                        return true;
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (TransitionRaceException)
            {
                ThrowIfExhausted(attempt);
                ChatLog.TransitionRaced(logger, nameof(ChatTrigger.AdminJoined), dispute.Id, attempt);
                continue;
            }
            catch (DbUpdateException)
            {
                // A concurrent join by the same administrator won; anything else is a real failure.
                if (!await store.Participants.AnyAsync(
                        p => p.ConversationId == dispute.Id && p.UserId == admin.UserId, cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }

                return false;
            }

            await PublishAsync(applied).ConfigureAwait(false);
            var info = applied.Messages[^1].Conversation;
            await events.ParticipantJoinedAsync(info, admin.UserId, ParticipantRole.Admin, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
    }

    private void ThrowIfExhausted(int attempt)
    {
        if (attempt >= Math.Max(1, options.Value.MaxTransitionAttempts))
        {
            throw new ChatException(
                ChatErrorCode.TransitionRefused, "The conversation kept changing while this event was applied; deliver it again.");
        }
    }

    private async Task<LifecycleResult> FireOnTransactionAsync(
        string transactionId, ChatTrigger trigger, ChatEventContext? context, CancellationToken cancellationToken)
    {
        RequireId(transactionId, nameof(transactionId));
        context = ChatInput.Context(context);
        for (var attempt = 1; ; attempt++)
        {
            var conversation = await RequireTransactionAsync(transactionId, cancellationToken).ConfigureAwait(false);
            if (await SeenEventAsync(conversation.Id, context, cancellationToken).ConfigureAwait(false))
            {
                return Unchanged(conversation);
            }

            var decision = Evaluate(conversation, trigger);
            if (!decision.IsPermitted)
            {
                if (await IsRedeliveryAsync(conversation.Id, trigger, cancellationToken).ConfigureAwait(false))
                {
                    return Redelivered(conversation, trigger);
                }

                throw Refuse(conversation, trigger, decision.RefusalReason!);
            }

            if (await CommitAsync([new(conversation, decision.Rule!)], context, attempt, cancellationToken).ConfigureAwait(false) is { } applied)
            {
                return new LifecycleResult(applied.Changes[0].Conversation, true, applied.Changes);
            }
        }
    }

    /// <summary>
    /// Commits planned transitions in one database transaction and publishes them. Returns null when a
    /// conversation's version moved underneath (the caller re-evaluates), or throws once attempts run out.
    /// </summary>
    private async Task<AppliedChanges?> CommitAsync(
        IReadOnlyList<PlannedTransition> plan, ChatEventContext context, int attempt, CancellationToken cancellationToken)
    {
        var now = store.Now();
        var applied = new AppliedChanges();
        try
        {
            await store.InTransactionAsync(
                async ct =>
                {
                    foreach (var step in plan)
                    {
                        await ApplyOrRaceAsync(step.Snapshot, step.Rule, context, now, applied, ct, step.Outcome).ConfigureAwait(false);
                    }

                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (TransitionRaceException)
        {
            ThrowIfExhausted(attempt);
            ChatLog.TransitionRaced(logger, plan[0].Rule.Trigger.ToString(), plan[0].Snapshot.Id, attempt);
            return null;
        }

        await PublishAsync(applied).ConfigureAwait(false);
        return applied;
    }

    /// <summary>
    /// Writes a permitted transition: state, version and sequence in one version-checked UPDATE (which also takes the
    /// row lock that message senders queue on), then the announcement and the log entry.
    /// </summary>
    private async Task ApplyOrRaceAsync(
        ConversationRecord snapshot,
        ChatTransitionRule rule,
        ChatEventContext context,
        DateTimeOffset now,
        AppliedChanges applied,
        CancellationToken ct,
        DisputeOutcome? outcome = null,
        bool markDisputed = false)
    {
        var updated = await store.Conversations
            .Where(c => c.Id == snapshot.Id && c.Version == snapshot.Version)
            .ExecuteUpdateAsync(
                s =>
                {
                    s.SetProperty(c => c.State, rule.To);
                    s.SetProperty(c => c.Version, c => c.Version + 1);
                    s.SetProperty(c => c.LastSequence, c => c.LastSequence + 1);
                    s.SetProperty(c => c.UpdatedAt, now);
                    if (outcome is { } decided)
                    {
                        s.SetProperty(c => c.Outcome, decided);
                    }

                    if (markDisputed)
                    {
                        s.SetProperty(c => c.HasDispute, true);
                    }
                },
                ct)
            .ConfigureAwait(false);
        if (updated == 0)
        {
            throw new TransitionRaceException();
        }

        var current = await store.Conversations.AsNoTracking().SingleAsync(c => c.Id == snapshot.Id, ct).ConfigureAwait(false);
        var message = log.AppendReserved(current, EntryDraft.System(rule.Trigger.ToString(), rule.Announcement, now));
        store.Transitions.Add(new TransitionRecord
        {
            ConversationId = current.Id,
            FromState = snapshot.State,
            ToState = rule.To,
            Trigger = rule.Trigger.ToString(),
            ActorId = context.ActorId,
            EventId = context.EventId,
            OccurredAt = now,
        });
        applied.Add(new ChatStateChange(current.ToInfo(), snapshot.State, rule.To, rule.Trigger.ToString(), context.ActorId, now), message);
    }

    private EntryRecord AddNewConversation(
        ConversationRecord conversation, ChatEventContext context, DateTimeOffset now, string announcement, string trigger)
    {
        store.Conversations.Add(conversation);
        store.Participants.Add(new ParticipantRecord
        {
            ConversationId = conversation.Id, UserId = conversation.BuyerId, Role = ParticipantRole.Buyer, JoinedAt = now,
        });
        store.Participants.Add(new ParticipantRecord
        {
            ConversationId = conversation.Id, UserId = conversation.SellerId, Role = ParticipantRole.Seller, JoinedAt = now,
        });
        store.Transitions.Add(new TransitionRecord
        {
            ConversationId = conversation.Id,
            FromState = null,
            ToState = conversation.State,
            Trigger = trigger,
            ActorId = context.ActorId,
            EventId = context.EventId,
            OccurredAt = now,
        });
        return log.AppendFirst(conversation, EntryDraft.System(trigger, announcement, now));
    }

    private static TransitionDecision Evaluate(ConversationRecord conversation, ChatTrigger trigger) =>
        ChatLifecycleMachine.Evaluate(conversation.Kind, conversation.State, trigger, new TransitionFacts(ActorIsAdmin: false));

    private ChatTransitionRule Permit(ConversationRecord conversation, ChatTrigger trigger)
    {
        var decision = Evaluate(conversation, trigger);
        return decision.Rule ?? throw Refuse(conversation, trigger, decision.RefusalReason!);
    }

    private ChatException Refuse(ConversationRecord conversation, ChatTrigger trigger, string reason)
    {
        ChatLog.TriggerRefused(logger, trigger.ToString(), conversation.Id, conversation.State.ToString(), reason);
        metrics.Refused(ChatErrorCode.TransitionRefused);
        return new ChatException(ChatErrorCode.TransitionRefused, reason) { Counted = true };
    }

    private LifecycleResult Redelivered(ConversationRecord conversation, ChatTrigger trigger)
    {
        ChatLog.TriggerRedelivered(logger, trigger.ToString(), conversation.Id);
        return Unchanged(conversation);
    }

    private static LifecycleResult Unchanged(ConversationRecord conversation) => new(conversation.ToInfo(), false, []);

    private static LifecycleResult SameDispute(ConversationRecord dispute, string transactionId) =>
        string.Equals(dispute.TransactionId, transactionId, StringComparison.Ordinal)
            ? Unchanged(dispute)
            : throw new ChatException(ChatErrorCode.InvalidArgument, "This dispute id is already used for another transaction.");

    private async Task<bool> SeenEventAsync(Guid conversationId, ChatEventContext context, CancellationToken ct) =>
        context.EventId is { } eventId
        && await store.Transitions.AnyAsync(t => t.ConversationId == conversationId && t.EventId == eventId, ct).ConfigureAwait(false);

    /// <summary>
    /// Tells a redelivered event from a wrong one: payment, completion, cancellation and refund happen once in a
    /// transaction's life, so finding them in the log is enough; other triggers count as redelivered when they
    /// caused the latest transition.
    /// </summary>
    private async Task<bool> IsRedeliveryAsync(Guid conversationId, ChatTrigger trigger, CancellationToken ct)
    {
        if (trigger is ChatTrigger.PaymentConfirmed or ChatTrigger.Completed or ChatTrigger.Cancelled or ChatTrigger.Refunded)
        {
            var name = trigger.ToString();
            return await store.Transitions.AnyAsync(t => t.ConversationId == conversationId && t.Trigger == name, ct).ConfigureAwait(false);
        }

        return await LastTriggerIsAsync(conversationId, trigger, ct).ConfigureAwait(false);
    }

    private async Task<bool> LastTriggerIsAsync(Guid conversationId, ChatTrigger trigger, CancellationToken ct)
    {
        var last = await store.Transitions.Where(t => t.ConversationId == conversationId)
            .OrderByDescending(t => t.Id).Select(t => t.Trigger).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return last == trigger.ToString();
    }

    private Task<ConversationRecord?> FindAsync(string key, CancellationToken ct) =>
        store.Conversations.AsNoTracking().SingleOrDefaultAsync(c => c.Key == key, ct);

    private async Task<ConversationRecord> RequireTransactionAsync(string transactionId, CancellationToken ct) =>
        await FindAsync(ChatModelConfiguration.TransactionKey(transactionId), ct).ConfigureAwait(false)
        ?? throw new ChatException(
            ChatErrorCode.TransactionUnknown,
            $"No chat is registered for transaction '{transactionId}': call RegisterTransactionAsync first.");

    private async Task<ConversationRecord> RequireDisputeAsync(string disputeId, CancellationToken ct) =>
        await FindAsync(ChatModelConfiguration.DisputeKey(disputeId), ct).ConfigureAwait(false)
        ?? throw new ChatException(ChatErrorCode.TransactionUnknown, $"No dispute chat exists for dispute '{disputeId}'.");

    private async Task PublishAsync(AppliedChanges applied)
    {
        foreach (var change in applied.Changes)
        {
            metrics.Transitioned(change.Trigger);
            ChatLog.Transitioned(
                logger, change.Conversation.Id, change.Conversation.Kind.ToString(), change.From?.ToString() ?? "(new)",
                change.To.ToString(), change.Trigger, change.ActorId ?? "(unknown)");
            await events.StateChangedAsync(change, CancellationToken.None).ConfigureAwait(false);
        }

        foreach (var (conversation, message) in applied.Messages)
        {
            await events.MessageAddedAsync(conversation, EntryProjection.ToMessage(message, null, null), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static void RequireId(string? value, string what) => ChatInput.RequireId(value, what);

    /// <summary>One transition to commit: the conversation as read, the rule to apply, and the dispute outcome if any.</summary>
    private sealed record PlannedTransition(ConversationRecord Snapshot, ChatTransitionRule Rule, DisputeOutcome? Outcome = null);

    /// <summary>What one successful attempt committed, published only after the commit.</summary>
    private sealed class AppliedChanges
    {
        public List<ChatStateChange> Changes { get; } = [];

        public List<(ChatConversationInfo Conversation, EntryRecord Message)> Messages { get; } = [];

        public void Add(ChatStateChange change, EntryRecord message)
        {
            Changes.Add(change);
            Messages.Add((change.Conversation, message));
        }
    }

    /// <summary>Thrown inside an attempt when the conversation's version moved under it; the attempt rolls back.</summary>
    private sealed class TransitionRaceException : Exception
    {
        public TransitionRaceException()
            : base("The conversation changed while the trigger was being applied.")
        {
        }
    }
}
