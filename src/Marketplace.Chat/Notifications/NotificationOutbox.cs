using Marketplace.Chat.Conversations;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Notifications;

/// <summary>
/// Writes one notification per recipient for every message a chat transaction adds, in that same transaction:
/// if the message commits, so do its notifications, and a crash before dispatch loses nothing.
/// Who hears what: new messages go to the other participants; announcements map to a notification kind and go to
/// the parties (and, for dispute events, administrators); the user who caused it is never a recipient.
/// </summary>
internal sealed class NotificationOutbox(
    NotificationSignal signal, IOptions<ChatOptions> options, IServiceProvider services) : IChatCommitContributor
{
    private bool _added;

    public async Task ContributeAsync(ChatStore store, CancellationToken cancellationToken)
    {
        var db = store.Db;
        var added = db.ChangeTracker.Entries<EntryRecord>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        if (added.Count == 0)
        {
            return;
        }

        var transitions = db.ChangeTracker.Entries<TransitionRecord>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        var joinedAdmins = db.ChangeTracker.Entries<ParticipantRecord>()
            .Where(e => e.State == EntityState.Added && e.Entity.Role == ParticipantRole.Admin).Select(e => e.Entity).ToList();
        var conversations = new Dictionary<Guid, ConversationRecord>();
        var admins = new Dictionary<Guid, List<string>>();
        IReadOnlyCollection<string>? directory = null;

        foreach (var message in added)
        {
            if (!conversations.TryGetValue(message.ConversationId, out var conversation))
            {
                conversation = store.Locked(message.ConversationId)
                    ?? db.ChangeTracker.Entries<ConversationRecord>().Select(e => e.Entity).FirstOrDefault(c => c.Id == message.ConversationId)
                    ?? await db.Set<ConversationRecord>().AsNoTracking().SingleAsync(c => c.Id == message.ConversationId, cancellationToken).ConfigureAwait(false);
                conversations[conversation.Id] = conversation;
            }

            var kind = KindOf(message, conversation);
            if (kind is null)
            {
                continue;
            }

            var actor = message.SenderId
                ?? transitions.FirstOrDefault(t => t.ConversationId == conversation.Id)?.ActorId
                ?? joinedAdmins.FirstOrDefault(p => p.ConversationId == conversation.Id)?.UserId;
            var recipients = new HashSet<string>(StringComparer.Ordinal) { conversation.BuyerId, conversation.SellerId };
            if (conversation.Kind == ConversationKind.Dispute)
            {
                if (!admins.TryGetValue(conversation.Id, out var joined))
                {
                    joined = await db.Set<ParticipantRecord>().AsNoTracking()
                        .Where(p => p.ConversationId == conversation.Id && p.Role == ParticipantRole.Admin)
                        .Select(p => p.UserId).ToListAsync(cancellationToken).ConfigureAwait(false);
                    joined.AddRange(joinedAdmins.Where(p => p.ConversationId == conversation.Id).Select(p => p.UserId));
                    admins[conversation.Id] = joined;
                }

                recipients.UnionWith(joined);
                if (kind == ChatNotificationKind.DisputeOpened)
                {
                    directory ??= services.GetService(typeof(IChatAdministrators)) is IChatAdministrators known
                        ? await known.GetAdministratorIdsAsync(cancellationToken).ConfigureAwait(false)
                        : [];
                    recipients.UnionWith(directory);
                }
            }

            if (actor is not null)
            {
                recipients.Remove(actor);
            }

            foreach (var recipient in recipients)
            {
                db.Set<NotificationRecord>().Add(
                    Record(message, conversation, kind.Value, recipient, actor, options.Value.Notifications.PreviewLength));
                _added = true;
            }
        }
    }

    /// <summary>Makes the outbox row telling <paramref name="recipient"/> of an appended entry (the group commit writes it too).</summary>
    internal static NotificationRecord Record(
        EntryRecord message, ConversationRecord conversation, ChatNotificationKind kind, string recipient, string? actor, int previewLength) => new()
    {
        DeliveryId = Guid.NewGuid(),
        RecipientId = recipient,
        Kind = kind,
        ConversationId = conversation.Id,
        ConversationKind = conversation.Kind,
        TransactionId = conversation.TransactionId,
        DisputeId = conversation.DisputeId,
        MessageId = message.Kind == ChatMessageKind.System ? null : message.Id,
        Sequence = message.Sequence,
        ActorId = actor,
        Preview = MessageText.Preview(message.Kind, message.Text ?? "", previewLength),
        CreatedAt = message.CreatedAt,
        NextAttemptAt = message.CreatedAt,
    };

    public void Committed()
    {
        if (_added)
        {
            _added = false;
            signal.Wake();
        }
    }

    /// <summary>
    /// Maps an appended entry to the notification it causes, or null (e.g. the "waiting for payment" announcement, and
    /// edits and deletions, which change a message the recipient was already told about).
    /// </summary>
    internal static ChatNotificationKind? KindOf(EntryRecord message, ConversationRecord conversation)
    {
        if (message.Kind is ChatMessageKind.Edit or ChatMessageKind.Deletion)
        {
            return null;
        }

        if (message.Kind == ChatMessageKind.Notice)
        {
            return ChatNotificationKind.MarketplaceNotice;
        }

        if (message.Kind != ChatMessageKind.System)
        {
            return conversation.Kind == ConversationKind.Transaction
                ? ChatNotificationKind.NewTransactionMessage
                : ChatNotificationKind.NewDisputeMessage;
        }

        return (conversation.Kind, message.SystemCode) switch
        {
            (ConversationKind.Transaction, nameof(ChatTrigger.PaymentConfirmed)) => ChatNotificationKind.ChatUnlocked,
            (ConversationKind.Transaction, nameof(ChatTrigger.DisputeResolvedResume)) => ChatNotificationKind.ChatUnlocked,
            (ConversationKind.Transaction, nameof(ChatTrigger.DisputeOpened)) => ChatNotificationKind.ChatFrozen,
            (ConversationKind.Transaction, nameof(ChatTrigger.DisputeReopened)) => ChatNotificationKind.ChatFrozen,
            (ConversationKind.Transaction, nameof(ChatTrigger.Completed) or nameof(ChatTrigger.Cancelled)
                or nameof(ChatTrigger.Refunded) or nameof(ChatTrigger.DisputeResolvedClose)) => ChatNotificationKind.ChatClosed,
            (ConversationKind.Dispute, nameof(ChatTrigger.DisputeOpened) or nameof(ChatTrigger.Reopened)) => ChatNotificationKind.DisputeOpened,
            (ConversationKind.Dispute, nameof(ChatTrigger.AdminJoined)) => ChatNotificationKind.AdminJoined,
            (ConversationKind.Dispute, nameof(ChatTrigger.DisputeResolved)) => ChatNotificationKind.DisputeResolved,
            _ => null,
        };
    }
}

/// <summary>Wakes the dispatcher right after a commit that added notifications, so delivery does not wait for the next poll.</summary>
internal sealed class NotificationSignal : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already awake: one wake-up covers every commit before it.
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _wake.Dispose();
}
