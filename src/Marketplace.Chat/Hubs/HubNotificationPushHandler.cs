using Marketplace.Chat.Notifications;

namespace Marketplace.Chat.Hubs;

/// <summary>
/// The built-in inbox's live half: pushes each notification, with the new unread count, to the recipient's own SignalR
/// channel on both hubs. The dispatcher hands it a whole batch at once: one count query for all the batch's recipients.
/// </summary>
internal sealed class HubNotificationPushHandler(ChatInbox inbox, ChatUserClients users) : IChatNotificationBatchHandler
{
    public Task HandleAsync(ChatNotification notification, CancellationToken cancellationToken) => HandleBatchAsync([notification], cancellationToken);

    public async Task HandleBatchAsync(IReadOnlyList<ChatNotification> notifications, CancellationToken cancellationToken)
    {
        var recipients = notifications.Select(n => n.RecipientId).Distinct(StringComparer.Ordinal).ToList();
        var unread = await inbox.CountUnreadAsync(recipients, cancellationToken).ConfigureAwait(false);
        var pushes = new List<Task>(notifications.Count);
        foreach (var notification in notifications)
        {
            var push = new NotificationPush(notification, unread.GetValueOrDefault(notification.RecipientId));
            pushes.Add(users.SendAsync(notification.RecipientId, client => client.Notification(push)));
        }

        await Task.WhenAll(pushes).ConfigureAwait(false);
    }
}
