using Marketplace.Chat.Diagnostics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Marketplace.Chat.Redis;

/// <summary>Runs a Redis call, or the local answer when Redis is disconnected, slow or failing: Redis is never on the durability path.</summary>
internal sealed class RedisCalls(ChatRedisConnection connection, ChatMetrics metrics, ILogger<RedisCalls> logger)
{
    private int _unreachable;

    /// <summary>Gets the prefix of the chat's keys.</summary>
    public string Prefix => connection.Prefix;

    /// <summary>Gets whether the last call found Redis unreachable.</summary>
    public bool Unreachable => Volatile.Read(ref _unreachable) == 1;

    public async ValueTask<T> RunAsync<T>(string what, Func<IDatabase, Task<T>> redis, Func<T> local)
    {
        try
        {
            if (await connection.DatabaseIfConnectedAsync().ConfigureAwait(false) is { } db)
            {
                var answer = await redis(db).ConfigureAwait(false);
                if (Interlocked.Exchange(ref _unreachable, 0) == 1)
                {
                    RedisLog.Reachable(logger);
                }

                return answer;
            }

            Fallback(what, null);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Fallback(what, ex);
        }

        return local();
    }

    public void Fallback(string what, Exception? exception)
    {
        metrics.RedisFallback(what);
        RedisLog.AnsweredLocally(logger, exception, what);
        if (Interlocked.Exchange(ref _unreachable, 1) == 0)
        {
            RedisLog.Unreachable(logger);
        }
    }

    /// <summary>Runs a script and returns its result.</summary>
    public static Task<RedisResult> ScriptAsync(IDatabase db, LuaScript script, object parameters) => script.EvaluateAsync(db, parameters);
}
