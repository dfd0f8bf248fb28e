using Marketplace.Chat;
using Marketplace.Chat.Access;
using Marketplace.Chat.DependencyInjection;
using Marketplace.Chat.Diagnostics;
using Marketplace.Chat.Events;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Limits;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Presence;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Marketplace.Chat.</summary>
public static class MarketplaceChatServiceCollectionExtensions
{
    /// <summary>
    /// Adds the chat's services; continue with <c>.AddEntityFrameworkStores&lt;TContext&gt;()</c>,
    /// <c>.AddTransactionPartyResolver&lt;T&gt;()</c> and <c>.AddLogKey(keyId, key)</c>. Options are validated when the host starts.
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
        services.TryAddSingleton(sp => new ChatLogKeys(sp.GetServices<ChatLogKeyRegistration>()));
        services.TryAddScoped<ConversationLog>();
        services.TryAddSingleton<AppendQueue>();
        services.TryAddSingleton<StoredIdProbe>();
        services.TryAddScoped<ConversationLogReader>();
        services.TryAddScoped<HostNoticeWriter>();
        services.TryAddScoped<ConversationLogAnchor>();
        services.TryAddScoped<ChatLifecycleService>();
        services.TryAddScoped<IChatLifecycle>(sp => new TracedChatLifecycle(sp.GetRequiredService<ChatLifecycleService>()));
        services.TryAddScoped<ChatMessagingService>();
        services.TryAddScoped<IChatMessaging>(sp => sp.GetRequiredService<ChatMessagingService>());
        services.TryAddScoped<Marketplace.Chat.Evidence.EvidenceLoader>();
        services.TryAddScoped<Marketplace.Chat.Evidence.IChatEvidenceExport, Marketplace.Chat.Evidence.ChatEvidenceExportService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Hosting.IHostedService, ChatStartupCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Hosting.IHostedService, ConversationLogAnchoring>());
        AddHubs(services);
        ChatAttachmentsRegistration.Add(services);
        ChatNotificationsRegistration.Add(services);
        return new ChatBuilder(services);
    }

    private static void AddHubs(IServiceCollection services)
    {
        services.AddSignalR()
            .AddHubOptions<TransactionChatHub>(o => o.AddFilter<ChatHubExceptionFilter>())
            .AddHubOptions<DisputeChatHub>(o => o.AddFilter<ChatHubExceptionFilter>());
        services.AddOptions<HubOptions<TransactionChatHub>>()
            .Configure<IOptions<ChatOptions>>((hub, chat) => hub.MaximumReceiveMessageSize = chat.Value.MaxHubMessageBytes);
        services.AddOptions<HubOptions<DisputeChatHub>>()
            .Configure<IOptions<ChatOptions>>((hub, chat) => hub.MaximumReceiveMessageSize = chat.Value.MaxHubMessageBytes);
        services.TryAddSingleton<ChatHubExceptionFilter>();
        services.TryAddSingleton<RefusalLog>();
        services.Replace(ServiceDescriptor.Singleton<IHubProtocolResolver, ChatHubProtocolResolver>());
        ChatDispatcherLoggerFactory.AddFor<TransactionChatHub>(services);
        ChatDispatcherLoggerFactory.AddFor<DisputeChatHub>(services);

        // After the exception filter, so it runs inside it and sees the refusal before it becomes a HubException.
        services.AddSignalR()
            .AddHubOptions<TransactionChatHub>(o => o.AddFilter<ChatActivityFilter>())
            .AddHubOptions<DisputeChatHub>(o => o.AddFilter<ChatActivityFilter>());
        services.TryAddSingleton<ChatActivityFilter>();
        services.TryAddSingleton<LocalChatPresence>();
        services.TryAddSingleton<IChatPresence>(sp => sp.GetRequiredService<LocalChatPresence>());
        services.TryAddSingleton<IChatPresenceSink, HubPresenceSink>();
        services.TryAddSingleton<LocalChatBudgetStore>();
        services.TryAddSingleton<IChatBudgetStore>(sp => sp.GetRequiredService<LocalChatBudgetStore>());
        services.TryAddSingleton<ChatBudgets>();
        services.TryAddSingleton<LocalChatConnectionRegistry>();
        services.TryAddSingleton<IChatConnectionRegistry>(sp => sp.GetRequiredService<LocalChatConnectionRegistry>());
        services.TryAddScoped<ChatUserResolver>();
        services.TryAddScoped<IChatUserResolver>(sp => sp.GetRequiredService<ChatUserResolver>());
        services.TryAddScoped<ChatHubServices>();
        services.TryAddSingleton<ChatUserClients>();
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IChatEventSink, HubChatEventSink>());

        // Browsers put the bearer token of a WebSocket in its URL (?access_token=...), and the hosting layer's
        // "Request starting" line logs URLs at Information. Raising that one category keeps tokens out of logs, for every
        // provider: a provider-specific rule (Logging:Console:LogLevel:Default=Information) beats any rule without a
        // provider, so the chat adds the rule once without a provider and once per registered provider (type name and
        // alias); a category rule is more specific than a provider's Default, and being added last it wins ties.
        // The configured value is read without validation: invalid chat options must fail with their own message,
        // not take the logger factory (and every log line about the failure) down with them.
        services.AddOptions<LoggerFilterOptions>().Configure<IEnumerable<IConfigureOptions<ChatOptions>>, IServiceProvider>((filters, configurations, provider) =>
        {
            var chat = new ChatOptions();
            foreach (var configuration in configurations)
            {
                configuration.Configure(chat);
            }

            if (chat.KeepTokensOutOfRequestLogs)
            {
                foreach (var name in TokenLogging.ProviderNames(provider.GetServices<ILoggerProvider>()))
                {
                    filters.Rules.Add(new LoggerFilterRule(name, TokenLogging.Category, LogLevel.Warning, null));
                }
            }
        });
    }
}
