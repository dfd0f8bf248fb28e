using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Diagnostics;

/// <summary>
/// Healthy when the chat's database answers and notifications are being dispatched; degraded when a notification has
/// waited longer than <c>ChatOptions.Notifications.BacklogWarning</c> (handlers failing or no dispatcher running).
/// </summary>
internal sealed class ChatHealthCheck(ChatStore store, TimeProvider clock, IOptions<ChatOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            if (!await store.Db.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false))
            {
                return new HealthCheckResult(context.Registration.FailureStatus, "The chat database is not reachable.");
            }

            var threshold = clock.GetUtcNow() - options.Value.Notifications.BacklogWarning;
            var late = await store.Db.Set<NotificationRecord>()
                .CountAsync(n => n.DispatchedAt == null && n.CreatedAt < threshold, cancellationToken).ConfigureAwait(false);
            var data = new Dictionary<string, object> { ["late_notifications"] = late };
            return late == 0
                ? HealthCheckResult.Healthy("The chat database answers and notifications are flowing.", data)
                : HealthCheckResult.Degraded($"{late} notification(s) wait for dispatch longer than expected.", data: data);
        }
#pragma warning disable CA1031 // A health check reports failures; it must not throw them.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The chat database check failed.", ex);
        }
    }
}
