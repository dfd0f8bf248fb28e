using Marketplace.Chat.Conversations;

namespace Marketplace.Chat.Notifications;

/// <summary>One notification for one recipient, as handlers and the inbox see it.</summary>
/// <param name="Id">Stable across redeliveries: handlers de-duplicate by it (the webhook sends it as the delivery id).</param>
/// <param name="Number">Its position in the recipient's inbox, for paging.</param>
/// <param name="RecipientId">Who it is for (never the user who caused it).</param>
/// <param name="Kind">What happened.</param>
/// <param name="ConversationId">The conversation it is about.</param>
/// <param name="ConversationKind">Transaction or dispute chat.</param>
/// <param name="TransactionId">The host's transaction id.</param>
/// <param name="DisputeId">The host's dispute id, for dispute events.</param>
/// <param name="MessageId">The message, for new-message notifications.</param>
/// <param name="Sequence">The message's sequence in its conversation.</param>
/// <param name="ActorId">Who caused it, when known.</param>
/// <param name="Preview">A short preview: the text truncated, "Image"/"File" for attachments, or the announcement.</param>
/// <param name="CreatedAt">When the message or transition committed.</param>
/// <param name="IsRead">Whether the recipient marked it read.</param>
public sealed record ChatNotification(
    Guid Id,
    long Number,
    string RecipientId,
    ChatNotificationKind Kind,
    Guid ConversationId,
    ConversationKind ConversationKind,
    string TransactionId,
    string? DisputeId,
    Guid? MessageId,
    long? Sequence,
    string? ActorId,
    string Preview,
    DateTimeOffset CreatedAt,
    bool IsRead);

/// <summary>A page of a user's inbox.</summary>
/// <param name="Notifications">Newest first.</param>
/// <param name="UnreadCount">The user's unread notifications in total.</param>
/// <param name="HasMore">Whether older notifications exist (page with <c>before</c> = the last <c>Number</c>).</param>
public sealed record ChatInboxPage(IReadOnlyList<ChatNotification> Notifications, int UnreadCount, bool HasMore);
