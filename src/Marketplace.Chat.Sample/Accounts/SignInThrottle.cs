using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Sample.Accounts;

/// <summary>Limits failed sign-ins (configuration section <c>Sample:SignIn</c>).</summary>
public sealed class SignInThrottleOptions
{
    /// <summary>Gets or sets how many failed sign-ins one e-mail address may have per <see cref="Window"/>. Defaults to 5.</summary>
    public int MaxFailuresPerAccount { get; set; } = 5;

    /// <summary>Gets or sets how many failed sign-ins one client address may have per <see cref="Window"/>. Defaults to 20.</summary>
    public int MaxFailuresPerAddress { get; set; } = 20;

    /// <summary>Gets or sets how long failures are remembered, from the first one. Defaults to 15 minutes.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>
/// Counts failed sign-ins per account (the e-mail typed, known or not, so the answer does not tell which exist) and per
/// client address, in fixed windows; once either is spent, sign-in answers <c>429 RateLimited</c> until its window ends,
/// whatever the password. A success clears the account's count. Per node and in memory: a farm of nodes would keep these
/// counters in its shared cache.
/// </summary>
public sealed class SignInThrottle(IOptions<SignInThrottleOptions> options, TimeProvider clock)
{
    private const int PruneAbove = 10_000;
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>Returns how long until a sign-in for this account from this address is allowed again, or null when it is now.</summary>
    public TimeSpan? RetryAfter(string account, IPAddress? address)
    {
        var now = clock.GetUtcNow();
        var o = options.Value;
        var wait = Wait(AccountKey(account), o.MaxFailuresPerAccount, now);
        var byAddress = Wait(AddressKey(address), o.MaxFailuresPerAddress, now);
        return wait is null ? byAddress : byAddress is null ? wait : wait > byAddress ? wait : byAddress;
    }

    /// <summary>Counts a failed sign-in against the account and the address.</summary>
    public void Failed(string account, IPAddress? address)
    {
        var now = clock.GetUtcNow();
        var window = options.Value.Window;
        Count(AccountKey(account), now, window);
        Count(AddressKey(address), now, window);
        if (_windows.Count > PruneAbove)
        {
            foreach (var (key, value) in _windows.Where(w => w.Value.Ends <= now))
            {
                _windows.TryRemove(new KeyValuePair<string, Window>(key, value));
            }
        }
    }

    /// <summary>Forgets the account's failures after a successful sign-in.</summary>
    public void Succeeded(string account) => _windows.TryRemove(AccountKey(account), out _);

    private TimeSpan? Wait(string key, int max, DateTimeOffset now) =>
        _windows.TryGetValue(key, out var w) && w.Ends > now && w.Failures >= max ? w.Ends - now : null;

    private void Count(string key, DateTimeOffset now, TimeSpan window) =>
        _windows.AddOrUpdate(key, _ => new Window(now + window, 1), (_, w) => w.Ends > now ? w with { Failures = w.Failures + 1 } : new Window(now + window, 1));

    private static string AccountKey(string account) => "account:" + account.Trim().ToUpperInvariant();

    private static string AddressKey(IPAddress? address) => "address:" + (address?.IsIPv4MappedToIPv6 == true ? address.MapToIPv4() : address);

    private sealed record Window(DateTimeOffset Ends, int Failures);
}
