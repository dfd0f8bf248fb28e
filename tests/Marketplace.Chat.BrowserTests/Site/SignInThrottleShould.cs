using System.Net;
using Marketplace.Chat.Sample.Accounts;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.BrowserTests.Site;

public sealed class SignInThrottleShould
{
    private static readonly IPAddress Address = IPAddress.Parse("203.0.113.7");

    [Fact]
    public void Refuse_an_account_once_its_failures_are_spent_until_the_window_ends()
    {
        var clock = new StepClock();
        var throttle = Throttle(clock, perAccount: 2, perAddress: 100);

        throttle.Failed("camille@demo.test", Address);
        Assert.Null(throttle.RetryAfter("camille@demo.test", Address));
        throttle.Failed("CAMILLE@demo.test ", Address);
        Assert.Equal(TimeSpan.FromMinutes(15), throttle.RetryAfter("camille@demo.test", Address));

        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(TimeSpan.FromMinutes(5), throttle.RetryAfter("camille@demo.test", IPAddress.Loopback));
        Assert.Null(throttle.RetryAfter("lucas@demo.test", Address));

        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(throttle.RetryAfter("camille@demo.test", Address));
        throttle.Failed("camille@demo.test", Address);
        Assert.Null(throttle.RetryAfter("camille@demo.test", Address));
    }

    [Fact]
    public void Refuse_an_address_across_accounts_and_treat_its_ipv4_mapped_form_as_the_same()
    {
        var throttle = Throttle(new StepClock(), perAccount: 100, perAddress: 3);

        throttle.Failed("a@demo.test", Address);
        throttle.Failed("b@demo.test", Address.MapToIPv6());
        throttle.Failed("c@demo.test", Address);

        Assert.NotNull(throttle.RetryAfter("d@demo.test", Address));
        Assert.NotNull(throttle.RetryAfter("d@demo.test", Address.MapToIPv6()));
        Assert.Null(throttle.RetryAfter("d@demo.test", IPAddress.Parse("198.51.100.1")));
    }

    [Fact]
    public void Forget_an_accounts_failures_after_a_success_but_not_the_addresses()
    {
        var throttle = Throttle(new StepClock(), perAccount: 2, perAddress: 3);

        throttle.Failed("sophie@demo.test", Address);
        throttle.Failed("sophie@demo.test", Address);
        throttle.Succeeded("sophie@demo.test");

        Assert.Null(throttle.RetryAfter("sophie@demo.test", IPAddress.Loopback));
        throttle.Failed("hugo@demo.test", Address);
        Assert.NotNull(throttle.RetryAfter("sophie@demo.test", Address));
    }

    private static SignInThrottle Throttle(TimeProvider clock, int perAccount, int perAddress) => new(
        Options.Create(new SignInThrottleOptions { MaxFailuresPerAccount = perAccount, MaxFailuresPerAddress = perAddress, Window = TimeSpan.FromMinutes(15) }),
        clock);

    private sealed class StepClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
