using Marketplace.Chat.Events;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Notifications;

/// <summary>The built-in stored inbox: a user's notifications, newest first, with unread counts and marking read.</summary>
public interface IChatInbox
{
    /// <summary>Lists a user's notifications, newest first, older than <paramref name="before"/> when given.</summary>
    Task<ChatInboxPage> ListAsync(string userId, long? before = null, int limit = 20, CancellationToken cancellationToken = default);

    /// <summary>Counts a user's unread notifications.</summary>
    Task<int> CountUnreadAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Marks one of the user's notifications read; returns the new unread count, or null when it is not theirs.</summary>
    Task<int?> MarkReadAsync(string userId, long number, CancellationToken cancellationToken = default);

    /// <summary>Marks all the user's notifications read; returns the new unread count (zero).</summary>
    Task<int> MarkAllReadAsync(string userId, CancellationToken cancellationToken = default);
}

/// <summary>Implements <see cref="IChatInbox"/> over the notification table.</summary>
internal sealed class ChatInbox(ChatStore store, ChatEventPublisher events) : IChatInbox
{
    private const int MaxPage = 100;

    private DbSet<NotificationRecord> Notifications => store.Db.Set<NotificationRecord>();

    public async Task<ChatInboxPage> ListAsync(string userId, long? before, int limit, CancellationToken cancellationToken)
    {
        limit = Math.Clamp(limit, 1, MaxPage);
        var query = Notifications.AsNoTracking().Where(n => n.RecipientId == userId);
        if (before is { } number)
        {
            query = query.Where(n => n.Id < number);
        }

        var rows = await query.OrderByDescending(n => n.Id).Take(limit + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
        var hasMore = rows.Count > limit;
        if (hasMore)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        var unread = await CountUnreadAsync(userId, cancellationToken).ConfigureAwait(false);
        return new ChatInboxPage(rows.ConvertAll(ToNotification), unread, hasMore);
    }

    public Task<int> CountUnreadAsync(string userId, CancellationToken cancellationToken) =>
        Notifications.CountAsync(n => n.RecipientId == userId && n.ReadAt == null, cancellationToken);

    /// <summary>Counts the unread notifications of several users in one query; a user with none is absent from the answer.</summary>
    internal async Task<Dictionary<string, int>> CountUnreadAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) =>
        await Notifications.AsNoTracking()
            .Where(n => userIds.Contains(n.RecipientId) && n.ReadAt == null)
            .GroupBy(n => n.RecipientId)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);

    public async Task<int?> MarkReadAsync(string userId, long number, CancellationToken cancellationToken)
    {
        if (!await Notifications.AnyAsync(n => n.Id == number && n.RecipientId == userId, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var now = store.Now();
        await Notifications.Where(n => n.Id == number && n.RecipientId == userId && n.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), cancellationToken).ConfigureAwait(false);
        return await PublishCountAsync(userId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> MarkAllReadAsync(string userId, CancellationToken cancellationToken)
    {
        var now = store.Now();
        await Notifications.Where(n => n.RecipientId == userId && n.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), cancellationToken).ConfigureAwait(false);
        return await PublishCountAsync(userId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> PublishCountAsync(string userId, CancellationToken cancellationToken)
    {
        var unread = await CountUnreadAsync(userId, cancellationToken).ConfigureAwait(false);
        await events.NotificationCountChangedAsync(userId, unread, CancellationToken.None).ConfigureAwait(false);
        return unread;
    }

    internal static ChatNotification ToNotification(NotificationRecord n) => new(
        n.DeliveryId, n.Id, n.RecipientId, n.Kind, n.ConversationId, n.ConversationKind, n.TransactionId, n.DisputeId,
        n.MessageId, n.Sequence, n.ActorId, n.Preview, n.CreatedAt, n.ReadAt is not null);
}
