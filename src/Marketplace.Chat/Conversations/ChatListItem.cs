using Marketplace.Chat.Messages;

namespace Marketplace.Chat.Conversations;

/// <summary>One line of a user's chat list.</summary>
/// <param name="ConversationId">The conversation.</param>
/// <param name="Kind">Transaction or dispute chat.</param>
/// <param name="TransactionId">The host's transaction id.</param>
/// <param name="DisputeId">The host's dispute id, for dispute chats.</param>
/// <param name="State">The current state.</param>
/// <param name="Role">The user's role in it.</param>
/// <param name="LastSequence">The newest sequence.</param>
/// <param name="UnreadCount">Messages by others (and announcements) after the user's read position.</param>
/// <param name="LastMessageKind">The newest message's kind, when there is one.</param>
/// <param name="LastMessagePreview">The newest message, truncated ("Image"/"File" for attachments; null when deleted).</param>
/// <param name="LastMessageAt">When the newest message was sent.</param>
public sealed record ChatListItem(
    Guid ConversationId,
    ConversationKind Kind,
    string TransactionId,
    string? DisputeId,
    ChatState State,
    ParticipantRole Role,
    long LastSequence,
    int UnreadCount,
    ChatMessageKind? LastMessageKind,
    string? LastMessagePreview,
    DateTimeOffset? LastMessageAt);
