using Marketplace.Chat.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the chat's health check.</summary>
public static class ChatHealthChecksBuilderExtensions
{
    /// <summary>
    /// Checks that the chat's database answers and that notifications do not pile up undispatched. The check answers
    /// Unhealthy within 5 seconds (or the registration's shorter timeout) when the database is down or frozen.
    /// </summary>
    public static IHealthChecksBuilder AddMarketplaceChat(this IHealthChecksBuilder builder, string name = "marketplace-chat", IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<ChatHealthCheck>(name, HealthStatus.Unhealthy, tags ?? [], ChatHealthCheck.Timeout);
    }
}
