using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Marketplace.Chat.Redis;

/// <summary>
/// The SignalR Redis backplane, except that a connection opening or closing while Redis is unreachable is not failed:
/// the backplane subscribes a connection's own channels as it opens, and with Redis down that would refuse every new
/// connection. The subscription stays recorded in the client library, which re-subscribes it when Redis returns.
/// A node shutting down while Redis is slow or gone is not failed either: the backplane's dispose unsubscribes
/// synchronously, and a timed-out unsubscribe is harmless because the connection closes right after it.
/// </summary>
internal sealed class ResilientRedisHubLifetimeManager<THub>(
    ILogger<RedisHubLifetimeManager<THub>> logger,
    IOptions<RedisOptions> options,
    IHubProtocolResolver hubProtocolResolver,
    IOptions<HubOptions> globalHubOptions,
    IOptions<HubOptions<THub>> hubOptions,
    ILogger<ResilientRedisHubLifetimeManager<THub>> ownLogger)
    : RedisHubLifetimeManager<THub>(logger, options, hubProtocolResolver, globalHubOptions, hubOptions), IDisposable
    where THub : Hub
{
    void IDisposable.Dispose()
    {
        try
        {
            Dispose();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            RedisLog.AnsweredLocally(ownLogger, ex, "backplane unsubscription at shutdown");
        }
    }

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        try
        {
            await base.OnConnectedAsync(connection).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            RedisLog.AnsweredLocally(ownLogger, ex, "backplane subscription of a new connection");
        }
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        try
        {
            await base.OnDisconnectedAsync(connection).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            RedisLog.AnsweredLocally(ownLogger, ex, "backplane unsubscription of a closed connection");
        }
    }
}
