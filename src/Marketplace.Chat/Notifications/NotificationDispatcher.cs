using Marketplace.Chat.Diagnostics;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Notifications;

/// <summary>
/// Delivers stored notifications to every handler, at least once each. It claims a batch (so server nodes share the
/// work), runs each handler with a timeout — concurrently, so one that hangs or throws holds up no other — and
/// records per handler: delivered, or retry later with back-off, or given up after the allowed attempts.
/// Because the rows were written with the message, a crash between commit and dispatch only delays delivery.
/// </summary>
internal sealed class NotificationDispatcher(
    IServiceScopeFactory scopes,
    NotificationSignal signal,
    TimeProvider clock,
    ChatMetrics metrics,
    IOptions<ChatOptions> options,
    ILogger<NotificationDispatcher> logger) : BackgroundService
{
    private readonly Guid _token = Guid.NewGuid();

    private ChatNotificationOptions Options => options.Value.Notifications;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Options.DispatcherEnabled)
        {
            return;
        }

        var databaseDown = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            int handled;
            try
            {
                handled = await DispatchOnceAsync(stoppingToken).ConfigureAwait(false);
                databaseDown = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The dispatcher must outlive a failed round (database restart...); it logs and tries again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // An outage is logged once, when it starts, at Warning; anything else is a failure worth its stack trace.
                if (!ChatFailures.IsUnavailable(ex))
                {
                    ChatLog.DispatchRoundFailed(logger, ex);
                }
                else if (!databaseDown)
                {
                    databaseDown = true;
                    ChatLog.DispatchPaused(logger, ex.GetBaseException().Message);
                }

                handled = 0;
            }

            if (handled < Options.BatchSize)
            {
                try
                {
                    await signal.WaitAsync(Options.PollInterval, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Claims and dispatches one batch of due notifications; returns how many it took.</summary>
    internal async Task<int> DispatchOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ChatStore>();
        var handlers = scope.ServiceProvider.GetServices<IChatNotificationHandler>().ToArray();
        var now = clock.GetUtcNow();
        var notifications = store.Db.Set<NotificationRecord>();

        var due = await notifications.AsNoTracking()
            .Where(n => n.DispatchedAt == null && n.NextAttemptAt <= now && (n.ClaimedUntil == null || n.ClaimedUntil < now))
            .OrderBy(n => n.Id).Select(n => n.Id).Take(Options.BatchSize)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (due.Count == 0)
        {
            return 0;
        }

        // The WHERE is evaluated again under each row's lock: of two nodes racing for a row, one gets it.
        var leaseEnd = now + Options.HandlerTimeout + Options.HandlerTimeout;
        await notifications
            .Where(n => due.Contains(n.Id) && n.DispatchedAt == null && (n.ClaimedUntil == null || n.ClaimedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ClaimToken, _token).SetProperty(n => n.ClaimedUntil, leaseEnd), cancellationToken)
            .ConfigureAwait(false);
        var claimed = await notifications.Where(n => n.ClaimToken == _token && due.Contains(n.Id)).OrderBy(n => n.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var ids = claimed.Select(n => n.Id).ToList();
        var deliveries = (await store.Db.Set<NotificationDeliveryRecord>().Where(d => ids.Contains(d.NotificationId))
            .ToListAsync(cancellationToken).ConfigureAwait(false))
            .ToDictionary(d => (d.NotificationId, d.Handler));

        var work = new List<(NotificationRecord Notification, IChatNotificationHandler Handler, NotificationDeliveryRecord Delivery)>();
        foreach (var notification in claimed)
        {
            foreach (var handler in handlers)
            {
                var name = HandlerName(handler);
                if (!deliveries.TryGetValue((notification.Id, name), out var delivery))
                {
                    delivery = new NotificationDeliveryRecord { NotificationId = notification.Id, Handler = name };
                    store.Db.Add(delivery);
                    deliveries[(notification.Id, name)] = delivery;
                }

                if (delivery.DeliveredAt is null && delivery.FailedAt is null && (delivery.NextAttemptAt is null || delivery.NextAttemptAt <= now))
                {
                    work.Add((notification, handler, delivery));
                }
            }
        }

        var outcomes = await DeliverAllAsync(work.Select(w => (w.Notification, w.Handler)).ToList(), cancellationToken).ConfigureAwait(false);
        var finished = clock.GetUtcNow();
        for (var i = 0; i < work.Count; i++)
        {
            var (notification, handler, delivery) = work[i];
            delivery.Attempts++;
            if (outcomes[i] is null)
            {
                delivery.DeliveredAt = finished;
                delivery.LastError = null;
                metrics.NotificationDispatched(delivery.Handler);
                continue;
            }

            delivery.LastError = Truncate(outcomes[i]!, 500);
            if (delivery.Attempts >= Options.MaxAttempts)
            {
                delivery.FailedAt = finished;
                ChatLog.HandlerGaveUp(logger, delivery.Handler, notification.DeliveryId, delivery.Attempts, delivery.LastError);
            }
            else
            {
                delivery.NextAttemptAt = finished + Options.RetryBackoff * Math.Pow(2, delivery.Attempts - 1);
            }
        }

        foreach (var notification in claimed)
        {
            var own = handlers.Select(h => deliveries[(notification.Id, HandlerName(h))]).ToList();
            if (own.All(d => d.DeliveredAt is not null || d.FailedAt is not null))
            {
                notification.DispatchedAt = finished;
            }
            else
            {
                notification.NextAttemptAt = own.Where(d => d.DeliveredAt is null && d.FailedAt is null)
                    .Min(d => d.NextAttemptAt ?? finished);
            }

            notification.ClaimToken = null;
            notification.ClaimedUntil = null;
        }

        await store.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return claimed.Count;
    }

    /// <summary>
    /// Runs every (notification, handler) pair and returns, in the same order, null for each delivered one or the failure's
    /// description. A batch handler gets all its notifications in one call; any other handler one call per notification.
    /// </summary>
    private async Task<string?[]> DeliverAllAsync(
        List<(NotificationRecord Notification, IChatNotificationHandler Handler)> work, CancellationToken stopping)
    {
        var outcomes = new string?[work.Count];
        var calls = new List<Task>();
        foreach (var byHandler in work.Select((w, index) => (w.Notification, w.Handler, Index: index)).GroupBy(w => HandlerName(w.Handler), StringComparer.Ordinal))
        {
            var items = byHandler.ToList();
            if (items[0].Handler is IChatNotificationBatchHandler)
            {
                calls.Add(DeliverBatchAsync(items.Select(i => i.Notification).ToList(), byHandler.Key, items.Select(i => i.Index).ToList(), outcomes, stopping));
                continue;
            }

            calls.AddRange(items.Select(async i => outcomes[i.Index] = await DeliverAsync(i.Notification, byHandler.Key, stopping).ConfigureAwait(false)));
        }

        await Task.WhenAll(calls).ConfigureAwait(false);
        return outcomes;
    }

    private async Task DeliverBatchAsync(List<NotificationRecord> records, string handlerName, List<int> indexes, string?[] outcomes, CancellationToken stopping)
    {
        var notifications = records.Select(ChatInbox.ToNotification).ToList();
        var reason = await RunHandlerAsync(
            handlerName,
            (handler, ct) => ((IChatNotificationBatchHandler)handler).HandleBatchAsync(notifications, ct),
            records[0].DeliveryId,
            $" (a batch of {records.Count})",
            stopping).ConfigureAwait(false);
        foreach (var index in indexes)
        {
            outcomes[index] = reason;
        }
    }

    /// <summary>
    /// Runs one handler on one notification in a scope of its own — deliveries run concurrently, and handlers
    /// (the built-in push among them) use scoped services such as the DbContext — and returns null on success or
    /// the failure's description.
    /// </summary>
    private Task<string?> DeliverAsync(NotificationRecord record, string handlerName, CancellationToken stopping) =>
        RunHandlerAsync(handlerName, (handler, ct) => handler.HandleAsync(ChatInbox.ToNotification(record), ct), record.DeliveryId, "", stopping);

    /// <summary>
    /// Runs one call of the named handler in a scope of its own, bounded by the handler timeout, and returns null on
    /// success or the failure's description (logged with <paramref name="deliveryId"/> and <paramref name="logNote"/>).
    /// </summary>
    private async Task<string?> RunHandlerAsync(
        string handlerName, Func<IChatNotificationHandler, CancellationToken, Task> call, Guid deliveryId, string logNote, CancellationToken stopping)
    {
        await using var scope = scopes.CreateAsyncScope();
        var handler = scope.ServiceProvider.GetServices<IChatNotificationHandler>().First(h => HandlerName(h) == handlerName);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(Options.HandlerTimeout);
        try
        {
            // WaitAsync stops waiting even for a handler that ignores its token.
            await call(handler, timeout.Token).WaitAsync(Options.HandlerTimeout, stopping).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            var reason = Reason(ex);
            ChatLog.HandlerFailed(logger, ex, handlerName, deliveryId, reason + logNote);
            return reason;
        }
    }

    private string Reason(Exception ex) => ex is TimeoutException or OperationCanceledException
        ? $"timed out after {Options.HandlerTimeout.TotalSeconds:0.#} s"
        : $"{ex.GetType().Name}: {ex.Message}";

    internal static string HandlerName(IChatNotificationHandler handler) => handler.GetType().FullName ?? handler.GetType().Name;

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
}
