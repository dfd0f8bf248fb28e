using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Marketplace.Chat.Redis;

/// <summary>
/// The one Redis connection of a node, shared by the SignalR backplane, presence, budgets and connection caps. It is
/// made without waiting for Redis (the node starts and serves with Redis down) and reconnects by itself; while
/// disconnected, commands fail at once instead of queueing, so callers fall back to local answers without delay.
/// </summary>
internal sealed class ChatRedisConnection : IAsyncDisposable
{
    private readonly Lazy<Task<IConnectionMultiplexer>> _multiplexer;

    public ChatRedisConnection(IOptions<ChatRedisOptions> options)
    {
        var o = options.Value;
        Prefix = o.KeyPrefix;
        _multiplexer = new(() => ConnectAsync(o), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Gets the prefix of the chat's keys and channels.</summary>
    public string Prefix { get; }

    /// <summary>Gets the multiplexer, connecting (without waiting for Redis to answer) on first use.</summary>
    public Task<IConnectionMultiplexer> MultiplexerAsync() => _multiplexer.Value;

    /// <summary>Gets the database when Redis is connected now, else null (the caller answers locally).</summary>
    public async ValueTask<IDatabase?> DatabaseIfConnectedAsync()
    {
        var multiplexer = await MultiplexerAsync().ConfigureAwait(false);
        return multiplexer.IsConnected ? multiplexer.GetDatabase() : null;
    }

    /// <summary>Builds the client configuration: no abort on a failed first connect, fail-fast while disconnected, short timeouts.</summary>
    internal static ConfigurationOptions Configuration(ChatRedisOptions o)
    {
        var configuration = ConfigurationOptions.Parse(o.ConnectionString);
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        var timeout = (int)Math.Max(100, o.OperationTimeout.TotalMilliseconds);
        configuration.AsyncTimeout = timeout;
        configuration.SyncTimeout = timeout;
        configuration.ConnectTimeout = Math.Max(timeout, 2000);
        configuration.ReconnectRetryPolicy = new LinearRetry(500);
        configuration.ClientName ??= "marketplace-chat";
        configuration.ChannelPrefix = RedisChannel.Literal(o.KeyPrefix);
        return configuration;
    }

    private static async Task<IConnectionMultiplexer> ConnectAsync(ChatRedisOptions o) =>
        await ConnectionMultiplexer.ConnectAsync(Configuration(o)).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer.IsValueCreated && _multiplexer.Value.IsCompletedSuccessfully)
        {
            await _multiplexer.Value.Result.DisposeAsync().ConfigureAwait(false);
        }
    }
}
