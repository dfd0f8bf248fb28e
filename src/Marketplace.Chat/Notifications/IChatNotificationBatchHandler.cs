namespace Marketplace.Chat.Notifications;

/// <summary>
/// A handler that takes a dispatcher batch in one call (the built-in live push: one unread-count query for the whole
/// batch instead of one per notification). The batch succeeds or fails as one: a failure retries each of its
/// notifications for this handler with back-off, and delivery stays at least once.
/// </summary>
internal interface IChatNotificationBatchHandler : IChatNotificationHandler
{
    /// <summary>Delivers every notification of the batch, in order; throw to have all of them retried later.</summary>
    Task HandleBatchAsync(IReadOnlyList<ChatNotification> notifications, CancellationToken cancellationToken);
}
