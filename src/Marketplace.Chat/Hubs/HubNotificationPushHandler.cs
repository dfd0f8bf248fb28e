using Marketplace.Chat.Notifications;
using Microsoft.AspNetCore.SignalR;

namespace Marketplace.Chat.Hubs;

/// <summary>The built-in inbox's live half: pushes each notification, with the new unread count, to the recipient's own SignalR channel on both hubs.</summary>
internal sealed class HubNotificationPushHandler(
    IChatInbox inbox,
    IHubContext<TransactionChatHub, IChatClient> transactions,
    IHubContext<DisputeChatHub, IChatClient> disputes) : IChatNotificationHandler
{
    public async Task HandleAsync(ChatNotification notification, CancellationToken cancellationToken)
    {
        var unread = await inbox.CountUnreadAsync(notification.RecipientId, cancellationToken).ConfigureAwait(false);
        var push = new NotificationPush(notification, unread);
        await Task.WhenAll(
            transactions.Clients.User(notification.RecipientId).Notification(push),
            disputes.Clients.User(notification.RecipientId).Notification(push)).ConfigureAwait(false);
    }
}
