using Marketplace.Chat.Limits;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Marketplace.Chat.Redis;

/// <summary>
/// Each user's open connections on every node, as a sorted set of connection ids scored by expiry: nodes re-assert
/// theirs every heartbeat, so a killed node's connections stop counting within <see cref="ChatRedisOptions.EntryLifetime"/>.
/// While Redis cannot be reached, the cap is enforced per node.
/// </summary>
internal sealed class RedisChatConnectionRegistry(RedisCalls redis, LocalChatConnectionRegistry local, IOptions<ChatRedisOptions> options)
    : IChatConnectionRegistry
{
    private static readonly LuaScript Open = LuaScript.Prepare("""
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', @key, '-inf', now)
        if not redis.call('ZSCORE', @key, @connection) and redis.call('ZCARD', @key) >= tonumber(@cap) then
          return 0
        end
        redis.call('ZADD', @key, now + tonumber(@ttl), @connection)
        redis.call('PEXPIRE', @key, tonumber(@ttl))
        return 1
        """);

    private static readonly LuaScript Refresh = LuaScript.Prepare("""
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        for connection in string.gmatch(@connections, '[^ ]+') do
          redis.call('ZADD', @key, now + tonumber(@ttl), connection)
        end
        redis.call('PEXPIRE', @key, tonumber(@ttl))
        return 1
        """);

    private long TtlMs => (long)options.Value.EntryLifetime.TotalMilliseconds;

    public async ValueTask<bool> TryOpenAsync(string userId, string connectionId, int cap)
    {
        // The node's own record is kept in every case: it is what heartbeats re-assert and what the fallback counts.
        var recorded = local.TryOpen(userId, connectionId, cap);
        var admitted = await redis.RunAsync(
            "connection cap",
            async db => (int)await RedisCalls.ScriptAsync(db, Open, new { key = Key(userId), connection = connectionId, cap, ttl = TtlMs }).ConfigureAwait(false) == 1,
            () => recorded).ConfigureAwait(false);
        if (!admitted && recorded)
        {
            await local.CloseAsync(userId, connectionId).ConfigureAwait(false);
        }

        return admitted;
    }

    public async ValueTask CloseAsync(string userId, string connectionId)
    {
        await local.CloseAsync(userId, connectionId).ConfigureAwait(false);
        await redis.RunAsync("connection close", db => db.SortedSetRemoveAsync(Key(userId), connectionId), () => false).ConfigureAwait(false);
    }

    /// <summary>Re-asserts this node's connections (and recreates them after a Redis restart).</summary>
    public async Task HeartbeatAsync(IDatabase db)
    {
        var calls = local.Snapshot().Select(u => RedisCalls.ScriptAsync(
            db, Refresh, new { key = Key(u.UserId), connections = string.Join(' ', u.ConnectionIds), ttl = TtlMs }));
        await Task.WhenAll(calls).ConfigureAwait(false);
    }

    private RedisKey Key(string userId) => $"{redis.Prefix}connections:{userId}";
}
