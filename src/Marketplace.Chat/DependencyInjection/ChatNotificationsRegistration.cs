using Marketplace.Chat.Events;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.Notifications;
using Marketplace.Chat.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Marketplace.Chat.DependencyInjection;

/// <summary>Registers the notification outbox, its dispatcher, the built-in inbox and its live push.</summary>
internal static class ChatNotificationsRegistration
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton<NotificationSignal>();
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IChatCommitContributor, NotificationOutbox>());
        services.TryAddScoped<ChatInbox>();
        services.TryAddScoped<IChatInbox>(sp => sp.GetRequiredService<ChatInbox>());
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IChatNotificationHandler, HubNotificationPushHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IChatEventSink, NotificationReadSink>());
        services.TryAddSingleton<NotificationDispatcher>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, NotificationDispatcher>(
            sp => sp.GetRequiredService<NotificationDispatcher>()));
    }
}
