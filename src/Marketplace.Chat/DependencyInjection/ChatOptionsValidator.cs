using Microsoft.Extensions.Options;

namespace Marketplace.Chat.DependencyInjection;

/// <summary>Refuses options that cannot work, naming the option and the accepted range.</summary>
internal sealed class ChatOptionsValidator : IValidateOptions<ChatOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatOptions options)
    {
        var failures = new List<string>();
        if (options.MaxMessageLength is < 1 or > 100_000)
        {
            failures.Add($"ChatOptions.MaxMessageLength must be between 1 and 100000 (was {options.MaxMessageLength}).");
        }

        if (options.EditWindow < TimeSpan.Zero)
        {
            failures.Add("ChatOptions.EditWindow must not be negative; use TimeSpan.Zero to disable edits.");
        }

        if (options.AdminEvidenceAccessAfterResolution < TimeSpan.Zero)
        {
            failures.Add("ChatOptions.AdminEvidenceAccessAfterResolution must not be negative; use TimeSpan.Zero to end admin access at the resolution.");
        }

        if (options.MaxHistoryPageSize is < 1 or > 1000)
        {
            failures.Add($"ChatOptions.MaxHistoryPageSize must be between 1 and 1000 (was {options.MaxHistoryPageSize}).");
        }

        if (string.IsNullOrWhiteSpace(options.AdminRole) && string.IsNullOrWhiteSpace(options.AdminPolicy))
        {
            failures.Add("Set ChatOptions.AdminRole or ChatOptions.AdminPolicy: the chat must know who the administrators are.");
        }

        if (string.IsNullOrWhiteSpace(options.UserIdClaimType))
        {
            failures.Add("ChatOptions.UserIdClaimType must name the claim that holds the user id.");
        }

        if (options.MaxTransitionAttempts is < 1 or > 100)
        {
            failures.Add($"ChatOptions.MaxTransitionAttempts must be between 1 and 100 (was {options.MaxTransitionAttempts}).");
        }

        if (options.MaxSendsPerSecond <= 0 || options.SendBurst < 1)
        {
            failures.Add("ChatOptions.MaxSendsPerSecond must be positive and ChatOptions.SendBurst at least 1.");
        }

        foreach (var budget in Enum.GetValues<Limits.ChatBudget>())
        {
            var rule = options.Limits.RuleOf(budget);
            if (!(rule.PerSecond > 0) || double.IsInfinity(rule.PerSecond) || rule.Burst < 1)
            {
                failures.Add($"ChatOptions.Limits: the {budget} budget needs a positive PerSecond and a Burst of at least 1 (was {rule.PerSecond}/s, burst {rule.Burst}).");
            }
        }

        if (options.Limits.MaxConnectionsPerUser < 1 || options.Limits.MaxJoinsPerConnection < 1)
        {
            failures.Add("ChatOptions.Limits.MaxConnectionsPerUser and MaxJoinsPerConnection must be at least 1.");
        }

        if (options.MaxHubMessageBytes < 1024)
        {
            failures.Add($"ChatOptions.MaxHubMessageBytes must be at least 1024 (was {options.MaxHubMessageBytes}).");
        }

        if (options.SnapshotPageSize < 1 || options.SnapshotPageSize > options.MaxHistoryPageSize)
        {
            failures.Add("ChatOptions.SnapshotPageSize must be between 1 and ChatOptions.MaxHistoryPageSize.");
        }

        foreach (var origin in options.AllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.GetLeftPart(UriPartial.Authority) != origin.TrimEnd('/'))
            {
                failures.Add($"ChatOptions.AllowedOrigins must hold origins like https://shop.example, without a path (was '{origin}').");
            }
        }

        var n = options.Notifications;
        if (n.PollInterval <= TimeSpan.Zero || n.HandlerTimeout <= TimeSpan.Zero || n.RetryBackoff <= TimeSpan.Zero)
        {
            failures.Add("ChatOptions.Notifications: PollInterval, HandlerTimeout and RetryBackoff must be positive.");
        }

        if (n.MaxAttempts is < 1 or > 50 || n.BatchSize is < 1 or > 10_000 || n.PreviewLength is < 10 or > 200)
        {
            failures.Add("ChatOptions.Notifications: MaxAttempts 1-50, BatchSize 1-10000 and PreviewLength 10-200.");
        }

        Attachments.AttachmentOptionsValidation.Validate(options.Attachments, failures);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
