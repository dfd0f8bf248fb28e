using Marketplace.Chat.Access;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Notifications;

namespace Marketplace.Chat.Hubs;

/// <summary>Says that a participant is typing or stopped.</summary>
/// <param name="ConversationId">The conversation.</param>
/// <param name="UserId">Who is typing.</param>
/// <param name="IsTyping">Whether they are typing now.</param>
public sealed record TypingNotice(Guid ConversationId, string UserId, bool IsTyping);

/// <summary>Says that a participant has read up to a sequence.</summary>
/// <param name="ConversationId">The conversation.</param>
/// <param name="UserId">Who read.</param>
/// <param name="Sequence">Their new read position.</param>
public sealed record ReadReceipt(Guid ConversationId, string UserId, long Sequence);

/// <summary>Says that a conversation moved to another lifecycle state.</summary>
/// <param name="ConversationId">The conversation.</param>
/// <param name="Kind">Transaction or dispute chat.</param>
/// <param name="From">The former state (null when just created).</param>
/// <param name="To">The new state.</param>
/// <param name="Trigger">What happened.</param>
/// <param name="Explanation">A sentence describing the new state, e.g. "the chat is frozen while a dispute is open".</param>
/// <param name="OccurredAt">When it happened.</param>
public sealed record ConversationStateChanged(
    Guid ConversationId, ConversationKind Kind, ChatState? From, ChatState To, string Trigger, string Explanation, DateTimeOffset OccurredAt);

/// <summary>Says that a participant came online or went offline in a conversation.</summary>
/// <param name="ConversationId">The conversation.</param>
/// <param name="UserId">The participant.</param>
/// <param name="IsOnline">Whether at least one of their connections has the conversation open.</param>
public sealed record PresenceChanged(Guid ConversationId, string UserId, bool IsOnline);

/// <summary>Says that someone joined a conversation.</summary>
/// <param name="ConversationId">The conversation.</param>
/// <param name="UserId">Who joined.</param>
/// <param name="Role">Their role.</param>
public sealed record ParticipantJoined(Guid ConversationId, string UserId, ParticipantRole Role);

/// <summary>What <c>Join</c> returns: everything a client needs to draw the conversation and catch up.</summary>
/// <param name="ConversationId">The conversation id, used by every other hub method.</param>
/// <param name="Kind">Transaction or dispute chat.</param>
/// <param name="TransactionId">The host's transaction id.</param>
/// <param name="DisputeId">The host's dispute id, for dispute chats.</param>
/// <param name="State">The current state.</param>
/// <param name="StateExplanation">A sentence describing the state for people.</param>
/// <param name="YourRole">The part the caller plays in the conversation: buyer, seller or admin.</param>
/// <param name="Participants">Participants with roles and read positions.</param>
/// <param name="Permissions">For every action: allowed, or the code and reason it is not.</param>
/// <param name="LastSequence">The newest sequence.</param>
/// <param name="LastReadSequence">The caller's read position.</param>
/// <param name="UnreadCount">The caller's unread count.</param>
/// <param name="Messages">The newest page of messages, newest first.</param>
/// <param name="HasMoreHistory">Whether older messages exist (page with History before the oldest).</param>
/// <param name="Online">Participants online in this conversation (on this node; on every node with <c>AddRedis</c>).</param>
public sealed record ChatSnapshot(
    Guid ConversationId,
    ConversationKind Kind,
    string TransactionId,
    string? DisputeId,
    ChatState State,
    string StateExplanation,
    ParticipantRole YourRole,
    IReadOnlyList<ChatParticipantInfo> Participants,
    IReadOnlyDictionary<ChatAction, AccessDecision> Permissions,
    long LastSequence,
    long LastReadSequence,
    int UnreadCount,
    IReadOnlyList<ChatMessage> Messages,
    bool HasMoreHistory,
    IReadOnlyList<string> Online);

/// <summary>A notification pushed live to its recipient.</summary>
/// <param name="Notification">The notification.</param>
/// <param name="UnreadCount">The recipient's unread notifications, this one included.</param>
public sealed record NotificationPush(ChatNotification Notification, int UnreadCount);

/// <summary>A user's unread notification count.</summary>
/// <param name="UnreadCount">How many are unread.</param>
public sealed record NotificationCount(int UnreadCount);
