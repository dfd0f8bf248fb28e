using Marketplace.Chat.Conversations;
using Marketplace.Chat.Events;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.Notifications;

/// <summary>
/// Keeps the inbox in step with the chat: when a user reads a conversation up to a sequence, the notifications that
/// sequence covers are read too, and the user's new unread count is pushed.
/// </summary>
/// <remarks>The publisher is resolved when needed: it holds every sink, this one included.</remarks>
internal sealed class NotificationReadSink(ChatStore store, IServiceProvider services) : IChatEventSink
{
    public async Task ReadPositionChangedAsync(Guid conversationId, string userId, long sequence, CancellationToken cancellationToken)
    {
        var now = store.Now();
        var read = await store.Db.Set<NotificationRecord>()
            .Where(n => n.RecipientId == userId && n.ConversationId == conversationId && n.ReadAt == null && n.Sequence <= sequence)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), cancellationToken)
            .ConfigureAwait(false);
        if (read > 0)
        {
            var unread = await services.GetRequiredService<IChatInbox>().CountUnreadAsync(userId, cancellationToken).ConfigureAwait(false);
            await services.GetRequiredService<ChatEventPublisher>().NotificationCountChangedAsync(userId, unread, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task MessageAddedAsync(ChatConversationInfo conversation, ChatMessage message, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task MessageChangedAsync(ChatConversationInfo conversation, ChatMessage message, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StateChangedAsync(ChatStateChange change, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ParticipantJoinedAsync(ChatConversationInfo conversation, string userId, ParticipantRole role, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    public Task NotificationCountChangedAsync(string userId, int unreadCount, CancellationToken cancellationToken) => Task.CompletedTask;
}
