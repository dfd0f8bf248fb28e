using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Diagnostics;

/// <summary>
/// Healthy when the chat's database answers and notifications are being dispatched; degraded when a notification has
/// waited longer than <c>ChatOptions.Notifications.BacklogWarning</c> (handlers failing or no dispatcher running);
/// unhealthy when the database fails or does not answer within <see cref="Timeout"/> (a frozen server never hangs the check).
/// </summary>
internal sealed class ChatHealthCheck(ChatStore store, TimeProvider clock, IOptions<ChatOptions> options) : IHealthCheck
{
    /// <summary>How long the check waits for the database when its registration sets no shorter timeout.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var limit = context.Registration.Timeout > TimeSpan.Zero && context.Registration.Timeout < Timeout ? context.Registration.Timeout : Timeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            // WaitAsync returns at the deadline even when the driver does not notice the cancellation (a server that
            // accepted the connection and then stopped answering).
            var threshold = clock.GetUtcNow() - options.Value.Notifications.BacklogWarning;
            var late = await store.Db.Set<NotificationRecord>()
                .CountAsync(n => n.DispatchedAt == null && n.CreatedAt < threshold, deadline.Token)
                .WaitAsync(deadline.Token).ConfigureAwait(false);
            var data = new Dictionary<string, object> { ["late_notifications"] = late };
            return late == 0
                ? HealthCheckResult.Healthy("The chat database answers and notifications are flowing.", data)
                : HealthCheckResult.Degraded($"{late} notification(s) wait for dispatch longer than expected.", data: data);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(
                context.Registration.FailureStatus, $"The chat database did not answer within {limit.TotalSeconds:0.#} s.");
        }
#pragma warning disable CA1031 // A health check reports failures; it must not throw them.
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The chat database is not reachable.", ex);
        }
    }
}
