using System.Collections.Concurrent;

namespace Marketplace.Chat.Limits;

/// <summary>
/// Token buckets in this process: one allowance per user per node. The default without Redis, and what the Redis store
/// falls back to while Redis cannot be reached.
/// </summary>
internal sealed class LocalChatBudgetStore(TimeProvider clock) : IChatBudgetStore
{
    private const int SweepEvery = 4096;
    private readonly ConcurrentDictionary<(ChatBudget Budget, string UserId), Bucket> _buckets = new();
    private int _calls;

    public ValueTask<BudgetAnswer> TakeAsync(ChatBudget budget, string userId, ChatBudgetRule rule, int cost, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Take(budget, userId, rule, cost));

    /// <summary>Takes <paramref name="cost"/> tokens from the user's bucket of <paramref name="budget"/>.</summary>
    public BudgetAnswer Take(ChatBudget budget, string userId, ChatBudgetRule rule, int cost = 1)
    {
        var now = clock.GetTimestamp();
        SweepNowAndThen(now);
        var bucket = _buckets.GetOrAdd((budget, userId), static (_, state) => new Bucket(state.Burst, state.Now), (rule.Burst, Now: now));
        return bucket.Take(rule, cost, now, clock);
    }

    public ValueTask RefundAsync(ChatBudget budget, string userId, ChatBudgetRule rule)
    {
        if (_buckets.TryGetValue((budget, userId), out var bucket))
        {
            bucket.Refund(rule);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Forgets buckets idle long enough to be full again, so the table does not grow with every user ever seen.</summary>
    private void SweepNowAndThen(long now)
    {
        if (Interlocked.Increment(ref _calls) % SweepEvery != 0)
        {
            return;
        }

        foreach (var (key, bucket) in _buckets)
        {
            if (bucket.IdleFor(now, clock) > TimeSpan.FromMinutes(10))
            {
                _buckets.TryRemove(key, out _);
            }
        }
    }

    private sealed class Bucket(double tokens, long updated)
    {
        private readonly Lock _gate = new();
        private double _tokens = tokens;
        private long _updated = updated;

        public BudgetAnswer Take(ChatBudgetRule rule, int cost, long now, TimeProvider clock)
        {
            lock (_gate)
            {
                _tokens = Math.Min(rule.Burst, _tokens + (clock.GetElapsedTime(_updated, now).TotalSeconds * rule.PerSecond));
                _updated = now;
                if (_tokens >= cost)
                {
                    _tokens -= cost;
                    return new BudgetAnswer(true, TimeSpan.Zero);
                }

                return new BudgetAnswer(false, TimeSpan.FromSeconds((cost - _tokens) / rule.PerSecond));
            }
        }

        public void Refund(ChatBudgetRule rule)
        {
            lock (_gate)
            {
                _tokens = Math.Min(rule.Burst, _tokens + 1);
            }
        }

        public TimeSpan IdleFor(long now, TimeProvider clock)
        {
            lock (_gate)
            {
                return clock.GetElapsedTime(_updated, now);
            }
        }
    }
}
