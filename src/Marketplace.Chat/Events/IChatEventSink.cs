using Marketplace.Chat.Conversations;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Messages;

namespace Marketplace.Chat.Events;

/// <summary>
/// Receives what the domain committed, so the edges (hubs, notifications) can tell people. The domain owns this
/// interface and never knows who implements it. Called after commit; a failure is logged and changes nothing stored.
/// </summary>
internal interface IChatEventSink
{
    Task MessageAddedAsync(ChatConversationInfo conversation, ChatMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Publishes a committed batch's new messages, in sequence order. A sink may start every one before awaiting any
    /// (the live push starts them in order, so each conversation's events still go out in order); one at a time by default.
    /// </summary>
    async Task MessagesAddedAsync(IReadOnlyList<(ChatConversationInfo Conversation, ChatMessage Message)> added, CancellationToken cancellationToken)
    {
        foreach (var (conversation, message) in added)
        {
            await MessageAddedAsync(conversation, message, cancellationToken).ConfigureAwait(false);
        }
    }

    Task MessageChangedAsync(ChatConversationInfo conversation, ChatMessage message, CancellationToken cancellationToken);

    Task StateChangedAsync(ChatStateChange change, CancellationToken cancellationToken);

    Task ReadPositionChangedAsync(Guid conversationId, string userId, long sequence, CancellationToken cancellationToken);

    Task ParticipantJoinedAsync(ChatConversationInfo conversation, string userId, ParticipantRole role, CancellationToken cancellationToken);

    Task NotificationCountChangedAsync(string userId, int unreadCount, CancellationToken cancellationToken);
}
