using Marketplace.Chat.DependencyInjection;

namespace Marketplace.Chat.Tests.Messages;

public class ChatOptionsValidatorShould
{
    [Fact]
    public void Accept_the_defaults()
    {
        Assert.True(new ChatOptionsValidator().Validate(null, new ChatOptions()).Succeeded);
    }

    [Fact]
    public void Name_every_option_that_cannot_work()
    {
        var result = new ChatOptionsValidator().Validate(null, new ChatOptions
        {
            MaxMessageLength = 0,
            EditWindow = TimeSpan.FromSeconds(-1),
            MaxHistoryPageSize = 5000,
            AdminRole = " ",
            MaxTransitionAttempts = 0,
        });

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Equal(5, failures.Count);
        Assert.Contains(failures, f => f.Contains("MaxMessageLength", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("EditWindow", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("MaxHistoryPageSize", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("AdminRole or ChatOptions.AdminPolicy", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("MaxTransitionAttempts", StringComparison.Ordinal));
    }
}
