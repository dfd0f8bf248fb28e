using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Marketplace.Chat.Redis;

/// <summary>
/// Healthy when Redis answers a PING; otherwise the registration's failure status, Degraded by default: without Redis the
/// chat still stores and acknowledges every message, only live fan-out across nodes, presence and typing degrade.
/// </summary>
internal sealed class ChatRedisHealthCheck(ChatRedisConnection connection) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var multiplexer = await connection.MultiplexerAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!multiplexer.IsConnected)
            {
                return new HealthCheckResult(
                    context.Registration.FailureStatus, "Redis is not connected: messages are stored, live events stay on their node, budgets are per node.");
            }

            var latency = await multiplexer.GetDatabase().PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy(
                "Redis answers.", new Dictionary<string, object> { ["latency_ms"] = Math.Round(latency.TotalMilliseconds, 1) });
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            return new HealthCheckResult(
                context.Registration.FailureStatus, "Redis does not answer: messages are stored, live events stay on their node, budgets are per node.");
        }
    }
}
