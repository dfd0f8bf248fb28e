using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Hubs;

/// <summary>A token bucket per user (per server node): a burst, then a steady rate; refusals say when to retry.</summary>
internal sealed class ChatSendLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public ChatSendLimiter(IOptions<ChatOptions> options)
    {
        var o = options.Value;
        var perPeriod = Math.Max(1, (int)Math.Ceiling(o.MaxSendsPerSecond));
        var period = TimeSpan.FromSeconds(perPeriod / o.MaxSendsPerSecond);
        _limiter = PartitionedRateLimiter.Create<string, string>(user => RateLimitPartition.GetTokenBucketLimiter(
            user,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = o.SendBurst,
                TokensPerPeriod = perPeriod,
                ReplenishmentPeriod = period,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>Takes one send from the user's bucket, or throws <see cref="ChatErrorCode.RateLimited"/>.</summary>
    public void Acquire(string userId)
    {
        using var lease = _limiter.AttemptAcquire(userId);
        if (!lease.IsAcquired)
        {
            var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
            throw new ChatException(
                ChatErrorCode.RateLimited, $"You are sending messages too fast; try again in {Math.Max(1, Math.Ceiling(wait.TotalSeconds))} s.");
        }
    }

    public void Dispose() => _limiter.Dispose();
}
