using Marketplace.Chat.Access;

namespace Marketplace.Chat.Conversations;

/// <summary>A conversation as one user sees it now: its state, who is in it, and what the user may do and why not.</summary>
/// <param name="Conversation">The conversation.</param>
/// <param name="Relation">The part the user plays in it: buyer, seller or admin.</param>
/// <param name="Participants">The participants with their roles and read positions.</param>
/// <param name="Permissions">For every action, whether the user may do it now and, if not, why.</param>
/// <param name="LastReadSequence">The user's read position.</param>
/// <param name="UnreadCount">How many messages by others (and announcements) the user has not read.</param>
public sealed record ChatConversationView(
    ChatConversationInfo Conversation,
    ParticipantRole Relation,
    IReadOnlyList<ChatParticipantInfo> Participants,
    IReadOnlyDictionary<ChatAction, AccessDecision> Permissions,
    long LastReadSequence,
    int UnreadCount);

/// <summary>A participant of a conversation.</summary>
/// <param name="UserId">The host's user id.</param>
/// <param name="Role">Buyer, seller or admin.</param>
/// <param name="LastReadSequence">The participant's read position (for read receipts).</param>
public sealed record ChatParticipantInfo(string UserId, ParticipantRole Role, long LastReadSequence);
