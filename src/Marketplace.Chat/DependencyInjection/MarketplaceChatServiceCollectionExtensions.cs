using Marketplace.Chat;
using Marketplace.Chat.DependencyInjection;
using Marketplace.Chat.Diagnostics;
using Marketplace.Chat.Events;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Messages;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Marketplace.Chat.</summary>
public static class MarketplaceChatServiceCollectionExtensions
{
    /// <summary>
    /// Adds the chat's services; continue with <c>.AddEntityFrameworkStores&lt;TContext&gt;()</c> and
    /// <c>.AddTransactionPartyResolver&lt;T&gt;()</c>. Options are validated when the host starts.
    /// </summary>
    public static ChatBuilder AddMarketplaceChat(this IServiceCollection services, Action<ChatOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ChatOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChatOptions>, ChatOptionsValidator>());
        services.TryAddSingleton<ChatMarkerService>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<ChatMetrics>();
        services.TryAddScoped<ChatEventPublisher>();
        services.TryAddScoped<ChatLifecycleService>();
        services.TryAddScoped<IChatLifecycle>(sp => sp.GetRequiredService<ChatLifecycleService>());
        services.TryAddScoped<ChatMessagingService>();
        services.TryAddScoped<IChatMessaging>(sp => sp.GetRequiredService<ChatMessagingService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Hosting.IHostedService, ChatStartupCheck>());
        return new ChatBuilder(services);
    }
}
