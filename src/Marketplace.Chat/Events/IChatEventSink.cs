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

    Task MessageChangedAsync(ChatConversationInfo conversation, ChatMessage message, CancellationToken cancellationToken);

    Task StateChangedAsync(ChatStateChange change, CancellationToken cancellationToken);

    Task ReadPositionChangedAsync(Guid conversationId, string userId, long sequence, CancellationToken cancellationToken);

    Task ParticipantJoinedAsync(ChatConversationInfo conversation, string userId, ParticipantRole role, CancellationToken cancellationToken);

    Task NotificationCountChangedAsync(string userId, int unreadCount, CancellationToken cancellationToken);
}
