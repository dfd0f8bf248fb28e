using Marketplace.Chat.Conversations;
using Marketplace.Chat.Notifications;

namespace Marketplace.Chat.Persistence;

/// <summary>
/// One notification for one recipient: written in the transaction of the message or transition that caused it
/// (the outbox), listed as the recipient's inbox, and dispatched to every handler from here.
/// </summary>
internal sealed class NotificationRecord
{
    /// <summary>Orders and pages the inbox.</summary>
    public long Id { get; set; }

    /// <summary>The id handlers use to recognise a redelivery.</summary>
    public Guid DeliveryId { get; set; }

    public string RecipientId { get; set; } = "";

    public ChatNotificationKind Kind { get; set; }

    public Guid ConversationId { get; set; }

    public ConversationKind ConversationKind { get; set; }

    public string TransactionId { get; set; } = "";

    public string? DisputeId { get; set; }

    public Guid? MessageId { get; set; }

    public long? Sequence { get; set; }

    public string? ActorId { get; set; }

    public string Preview { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ReadAt { get; set; }

    /// <summary>Set when every handler delivered it or gave up; null while dispatch is pending.</summary>
    public DateTimeOffset? DispatchedAt { get; set; }

    /// <summary>When the dispatcher should look at it again (retries with back-off).</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>The dispatcher instance holding it, so two server nodes do not work on one row at once.</summary>
    public Guid? ClaimToken { get; set; }

    public DateTimeOffset? ClaimedUntil { get; set; }
}

/// <summary>The state of one notification with one handler.</summary>
internal sealed class NotificationDeliveryRecord
{
    public long NotificationId { get; set; }

    public string Handler { get; set; } = "";

    public int Attempts { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    /// <summary>Set when the handler failed as often as allowed: the failure is recorded, not retried.</summary>
    public DateTimeOffset? FailedAt { get; set; }

    public DateTimeOffset? NextAttemptAt { get; set; }

    public string? LastError { get; set; }
}
