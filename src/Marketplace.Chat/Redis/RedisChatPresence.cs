using Marketplace.Chat.Presence;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Marketplace.Chat.Redis;

/// <summary>
/// Cluster-wide presence: per conversation, a sorted set of "connection user" members scored by expiry. Nodes re-assert
/// their members every heartbeat and sweep expired ones, announcing users who went offline with a node that died; the
/// atomic sweep makes exactly one node announce each. While Redis cannot be reached, answers come from this node's own record.
/// </summary>
internal sealed class RedisChatPresence(RedisCalls redis, LocalChatPresence local, IOptions<ChatRedisOptions> options) : IChatPresence
{
    // Members are "<connectionId> <userId>": SignalR connection ids hold no spaces, user ids may.
    private const string UserOf = "local function user(m) return string.sub(m, string.find(m, ' ', 1, true) + 1) end\n";
    private const string Now = "local t = redis.call('TIME')\nlocal now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n";

    private static readonly LuaScript Join = LuaScript.Prepare(Now + UserOf + """
        local was = false
        for _, m in ipairs(redis.call('ZRANGEBYSCORE', @key, now, '+inf')) do
          if m ~= @member and user(m) == @user then was = true break end
        end
        redis.call('ZADD', @key, now + tonumber(@ttl), @member)
        redis.call('SADD', @index, @conversation)
        if was then return 0 end
        return 1
        """);

    private static readonly LuaScript Leave = LuaScript.Prepare(Now + UserOf + """
        if redis.call('ZREM', @key, @member) == 0 then return 0 end
        for _, m in ipairs(redis.call('ZRANGEBYSCORE', @key, now, '+inf')) do
          if user(m) == @user then return 0 end
        end
        return 1
        """);

    private static readonly LuaScript Online = LuaScript.Prepare(Now + """
        return redis.call('ZRANGEBYSCORE', @key, now, '+inf')
        """);

    private static readonly LuaScript Refresh = LuaScript.Prepare(Now + """
        for m in string.gmatch(@members, '[^\n]+') do
          redis.call('ZADD', @key, now + tonumber(@ttl), m)
        end
        redis.call('SADD', @index, @conversation)
        return 1
        """);

    private static readonly LuaScript Sweep = LuaScript.Prepare(Now + UserOf + """
        local expired = redis.call('ZRANGEBYSCORE', @key, '-inf', '(' .. now)
        if #expired > 0 then redis.call('ZREMRANGEBYSCORE', @key, '-inf', '(' .. now) end
        local live = {}
        local remaining = redis.call('ZRANGE', @key, 0, -1)
        for _, m in ipairs(remaining) do live[user(m)] = true end
        local gone = {}
        for _, m in ipairs(expired) do
          local u = user(m)
          if not live[u] then live[u] = true table.insert(gone, u) end
        end
        if #remaining == 0 then redis.call('SREM', @index, @conversation) end
        return gone
        """);

    private long TtlMs => (long)options.Value.EntryLifetime.TotalMilliseconds;

    private RedisKey Index => redis.Prefix + "presence";

    public async ValueTask<bool> JoinAsync(Guid conversationId, string connectionId, string userId)
    {
        var locally = local.Join(conversationId, connectionId, userId);
        return await redis.RunAsync(
            "presence join",
            async db => (int)await RedisCalls.ScriptAsync(db, Join, new
            {
                key = Key(conversationId), index = Index, conversation = conversationId.ToString("N"), member = Member(connectionId, userId), user = userId, ttl = TtlMs,
            }).ConfigureAwait(false) == 1,
            () => locally).ConfigureAwait(false);
    }

    public async ValueTask<bool> LeaveAsync(Guid conversationId, string connectionId)
    {
        var userId = local.UserOf(conversationId, connectionId);
        var locally = local.Leave(conversationId, connectionId);
        if (userId is null)
        {
            return false;
        }

        return await LeaveInRedisAsync(conversationId, connectionId, userId, locally).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<(Guid ConversationId, string UserId)>> DisconnectAsync(string connectionId)
    {
        var joined = local.JoinedBy(connectionId);
        var locally = local.Disconnect(connectionId);
        var offline = new List<(Guid, string)>();
        foreach (var (conversationId, userId) in joined)
        {
            var wentOffline = locally.Contains((conversationId, userId));
            if (await LeaveInRedisAsync(conversationId, connectionId, userId, wentOffline).ConfigureAwait(false))
            {
                offline.Add((conversationId, userId));
            }
        }

        return offline;
    }

    public async ValueTask<IReadOnlyList<string>> OnlineAsync(Guid conversationId) =>
        await redis.RunAsync(
            "presence list",
            async db =>
            {
                var members = (RedisValue[])(await RedisCalls.ScriptAsync(db, Online, new { key = Key(conversationId) }).ConfigureAwait(false))!;
                return (IReadOnlyList<string>)members.Select(m => UserOfMember(m!)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            },
            () => local.Online(conversationId)).ConfigureAwait(false);

    /// <summary>Re-asserts this node's members (recreating them after a Redis restart).</summary>
    public async Task HeartbeatAsync(IDatabase db)
    {
        var calls = local.Entries().GroupBy(e => e.ConversationId).Select(g => RedisCalls.ScriptAsync(db, Refresh, new
        {
            key = Key(g.Key), index = Index, conversation = g.Key.ToString("N"),
            members = string.Join('\n', g.Select(e => Member(e.ConnectionId, e.UserId))), ttl = TtlMs,
        }));
        await Task.WhenAll(calls).ConfigureAwait(false);
    }

    /// <summary>Removes expired members everywhere; returns the users that left with them (each reported by one node only).</summary>
    public async Task<IReadOnlyList<(Guid ConversationId, string UserId)>> SweepAsync(IDatabase db)
    {
        // One script per conversation with someone online, all in flight at once (the client pipelines them).
        var sweeps = (await db.SetMembersAsync(Index).ConfigureAwait(false))
            .Select(c => (Raw: c.ToString(), Parsed: Guid.TryParseExact(c.ToString(), "N", out var id) ? id : Guid.Empty))
            .Where(c => c.Parsed != Guid.Empty)
            .Select(async c =>
            {
                var users = (RedisValue[])(await RedisCalls.ScriptAsync(db, Sweep, new { key = Key(c.Parsed), index = Index, conversation = c.Raw })
                    .ConfigureAwait(false))!;
                return users.Select(u => (c.Parsed, u.ToString()));
            });
        return (await Task.WhenAll(sweeps).ConfigureAwait(false)).SelectMany(g => g).ToList();
    }

    private async ValueTask<bool> LeaveInRedisAsync(Guid conversationId, string connectionId, string userId, bool locally) =>
        await redis.RunAsync(
            "presence leave",
            async db => (int)await RedisCalls.ScriptAsync(db, Leave, new { key = Key(conversationId), member = Member(connectionId, userId), user = userId })
                .ConfigureAwait(false) == 1,
            () => locally).ConfigureAwait(false);

    private RedisKey Key(Guid conversationId) => $"{redis.Prefix}presence:{conversationId:N}";

    private static string Member(string connectionId, string userId) => connectionId + " " + userId;

    private static string UserOfMember(string member) => member[(member.IndexOf(' ', StringComparison.Ordinal) + 1)..];
}
