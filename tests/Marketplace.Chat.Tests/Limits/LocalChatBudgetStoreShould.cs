using System.Globalization;
using Marketplace.Chat.DependencyInjection;
using Marketplace.Chat.Limits;
using Marketplace.Chat.Tests.Documentation;

namespace Marketplace.Chat.Tests.Limits;

public class LocalChatBudgetStoreShould
{
    private readonly SteppedClock _clock = new();

    [Fact]
    public void Grant_the_burst_then_refuse_and_say_when_to_retry()
    {
        var store = new LocalChatBudgetStore(_clock);
        var rule = new ChatBudgetRule(perSecond: 2, burst: 3);

        var answers = Enumerable.Range(0, 4).Select(_ => store.Take(ChatBudget.Send, "u", rule)).ToList();

        Assert.Equal([true, true, true, false], answers.Select(a => a.Granted));
        Assert.Equal(TimeSpan.FromSeconds(0.5), answers[^1].RetryAfter);
    }

    [Fact]
    public void Refill_at_the_steady_rate_up_to_the_burst_only()
    {
        var store = new LocalChatBudgetStore(_clock);
        var rule = new ChatBudgetRule(perSecond: 2, burst: 3);
        for (var i = 0; i < 3; i++)
        {
            store.Take(ChatBudget.Send, "u", rule);
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(store.Take(ChatBudget.Send, "u", rule).Granted);
        Assert.True(store.Take(ChatBudget.Send, "u", rule).Granted);
        Assert.False(store.Take(ChatBudget.Send, "u", rule).Granted);

        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(3, Enumerable.Range(0, 5).Count(_ => store.Take(ChatBudget.Send, "u", rule).Granted));
    }

    [Fact]
    public async Task Keep_users_and_budgets_apart_and_give_a_refund_back()
    {
        var store = new LocalChatBudgetStore(_clock);
        var rule = new ChatBudgetRule(perSecond: 0.001, burst: 1);

        Assert.True(store.Take(ChatBudget.Send, "u", rule).Granted);
        Assert.False(store.Take(ChatBudget.Send, "u", rule).Granted);
        Assert.True(store.Take(ChatBudget.Send, "v", rule).Granted);
        Assert.True(store.Take(ChatBudget.Edit, "u", rule).Granted);

        await store.RefundAsync(ChatBudget.Send, "u", rule);
        Assert.True(store.Take(ChatBudget.Send, "u", rule).Granted);
    }

    [Fact]
    public void Charge_a_cost_above_one_whole_or_not_at_all()
    {
        var store = new LocalChatBudgetStore(_clock);
        var rule = new ChatBudgetRule(perSecond: 1, burst: 10);

        Assert.True(store.Take(ChatBudget.Upload, "u", rule, cost: 8).Granted);
        var refused = store.Take(ChatBudget.Upload, "u", rule, cost: 3);
        Assert.False(refused.Granted);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter);
        Assert.True(store.Take(ChatBudget.Upload, "u", rule, cost: 2).Granted);
    }

    [Fact]
    public void Refuse_budgets_and_caps_that_cannot_work_at_start_up()
    {
        var options = new ChatOptions();
        options.Limits.Edits.PerSecond = 0;
        options.Limits.Typing.Burst = 0;
        options.Limits.MaxConnectionsPerUser = 0;

        var failures = new ChatOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Contains(failures, f => f.Contains("Edit budget", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Typing budget", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("MaxConnectionsPerUser", StringComparison.Ordinal));
    }

    [Fact]
    public void Be_listed_in_the_README_with_every_default()
    {
        var readme = File.ReadAllText(Path.Combine(ReadmeShould.RepositoryRoot(), "README.md"));
        var limits = new ChatLimitOptions();
        foreach (var property in typeof(ChatLimitOptions).GetProperties().Where(p => p.PropertyType == typeof(ChatBudgetRule)))
        {
            var rule = (ChatBudgetRule)property.GetValue(limits)!;
            var row = readme.Split('\n').FirstOrDefault(l => l.StartsWith($"| `Limits.{property.Name}`", StringComparison.Ordinal));
            Assert.True(row is not null, $"README.md has no row for Limits.{property.Name}.");
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"| {rule.PerSecond}/s, burst {rule.Burst} |"), row, StringComparison.Ordinal);
        }

        Assert.Contains($"| `Limits.MaxConnectionsPerUser` | {limits.MaxConnectionsPerUser} |", readme, StringComparison.Ordinal);
        Assert.Contains($"| `Limits.MaxJoinsPerConnection` | {limits.MaxJoinsPerConnection} |", readme, StringComparison.Ordinal);
    }

    /// <summary>A clock the test moves by hand (timestamps only, which is all the buckets read).</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
