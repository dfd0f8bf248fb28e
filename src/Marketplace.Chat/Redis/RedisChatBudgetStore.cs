using Marketplace.Chat.Limits;
using StackExchange.Redis;

namespace Marketplace.Chat.Redis;

/// <summary>
/// Token buckets in Redis, one per user and budget, refilled and taken in one atomic script on Redis's own clock: one
/// allowance across every node, kept across node restarts. While Redis cannot be reached, each node falls back to its own
/// in-process bucket with the same rule (so a user on N nodes gets at most N allowances until Redis returns).
/// </summary>
internal sealed class RedisChatBudgetStore(RedisCalls redis, LocalChatBudgetStore local) : IChatBudgetStore
{
    private static readonly LuaScript Take = LuaScript.Prepare("""
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local rate = tonumber(@rate)
        local burst = tonumber(@burst)
        local cost = tonumber(@cost)
        local state = redis.call('HMGET', @key, 'tokens', 'at')
        local tokens = tonumber(state[1])
        local at = tonumber(state[2])
        if tokens == nil or at == nil then
          tokens = burst
          at = now
        end
        tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rate)
        local granted = 1
        local wait = 0
        if cost > 0 and tokens < cost then
          granted = 0
          wait = math.ceil((cost - tokens) / rate * 1000)
        else
          tokens = math.min(burst, tokens - cost)
        end
        redis.call('HSET', @key, 'tokens', tostring(tokens), 'at', tostring(now))
        redis.call('PEXPIRE', @key, math.ceil(burst / rate * 1000) + 1000)
        return { granted, wait }
        """);

    public async ValueTask<BudgetAnswer> TakeAsync(ChatBudget budget, string userId, ChatBudgetRule rule, int cost, CancellationToken cancellationToken) =>
        await redis.RunAsync(
            "budget",
            async db =>
            {
                var result = (RedisResult[])(await RedisCalls.ScriptAsync(db, Take, Parameters(budget, userId, rule, cost)).ConfigureAwait(false))!;
                return new BudgetAnswer((int)result[0] == 1, TimeSpan.FromMilliseconds((long)result[1]));
            },
            () => local.Take(budget, userId, rule, cost)).ConfigureAwait(false);

    public async ValueTask RefundAsync(ChatBudget budget, string userId, ChatBudgetRule rule)
    {
        await redis.RunAsync(
            "budget refund",
            async db => await RedisCalls.ScriptAsync(db, Take, Parameters(budget, userId, rule, -1)).ConfigureAwait(false),
            () => RedisResult.Create(RedisValue.Null)).ConfigureAwait(false);
        await local.RefundAsync(budget, userId, rule).ConfigureAwait(false);
    }

    private object Parameters(ChatBudget budget, string userId, ChatBudgetRule rule, int cost) => new
    {
        key = (RedisKey)$"{redis.Prefix}budget:{budget}:{userId}",
        rate = rule.PerSecond,
        burst = rule.Burst,
        cost,
    };
}
