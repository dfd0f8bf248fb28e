using Marketplace.Chat.Presence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Marketplace.Chat.Redis;

/// <summary>
/// Every <see cref="ChatRedisOptions.HeartbeatInterval"/>: re-asserts this node's connections and presence in Redis
/// (so they outlive a Redis restart and expire when this node dies) and sweeps expired presence, announcing the users
/// of dead nodes as offline. A failed beat changes nothing; the next one tries again.
/// </summary>
internal sealed class ChatRedisHeartbeat(
    ChatRedisConnection connection,
    RedisChatConnectionRegistry connections,
    RedisChatPresence presence,
    IServiceProvider services,
    TimeProvider clock,
    IOptions<ChatRedisOptions> options,
    ILogger<ChatRedisHeartbeat> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, clock);
        do
        {
            await BeatAsync().ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>Runs one heartbeat and sweep.</summary>
    internal async Task BeatAsync()
    {
        try
        {
            if (await connection.DatabaseIfConnectedAsync().ConfigureAwait(false) is not { } db)
            {
                return;
            }

            await connections.HeartbeatAsync(db).ConfigureAwait(false);
            await presence.HeartbeatAsync(db).ConfigureAwait(false);
            var gone = await presence.SweepAsync(db).ConfigureAwait(false);
            var sink = services.GetService<IChatPresenceSink>();
            foreach (var (conversationId, userId) in gone)
            {
                RedisLog.Expired(logger, userId, conversationId);
                if (sink is not null)
                {
                    await sink.PresenceChangedAsync(conversationId, userId, false).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            RedisLog.AnsweredLocally(logger, ex, "heartbeat");
        }
    }
}
