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

    private async Task ProbeAsync(CancellationToken ct)
    {
        var template = store.Db.Database.GetDbConnection();
        var connectionString = store.Db.Database.GetConnectionString();
        if (connectionString is null || Activator.CreateInstance(template.GetType()) is not System.Data.Common.DbConnection probe)
        {
            await store.Db.Database.ExecuteSqlRawAsync("SELECT 1", ct).ConfigureAwait(false);
            return;
        }

        probe.ConnectionString = connectionString;
        try
        {
            await probe.OpenAsync(ct).ConfigureAwait(false);
            using var command = probe.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            await probe.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // A little inside the registration's timeout, so the report says what happened rather than only "timeout".
        var registered = context.Registration.Timeout > TimeSpan.Zero && context.Registration.Timeout < Timeout ? context.Registration.Timeout : Timeout;
        var limit = registered * 0.9;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            // First a probe on a connection of its own, abandoned (not awaited) at the deadline: a server that accepted the
            // connection and then stopped answering would otherwise hold the check, and the disposal of the request's
            // DbContext after it, until the driver's own timeout.
            await ProbeAsync(deadline.Token).WaitAsync(deadline.Token).ConfigureAwait(false);
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
