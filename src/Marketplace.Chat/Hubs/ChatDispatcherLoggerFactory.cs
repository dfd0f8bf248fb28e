using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Marketplace.Chat.Hubs;

/// <summary>
/// The logger factory SignalR's connection handler gets for the chat hubs only. SignalR logs every exception a hub method
/// throws, <see cref="HubException"/> included, at Error with its stack trace (<c>DefaultHubDispatcherLog</c> event 8,
/// <c>FailedInvokingHubMethod</c>, through a <c>Logger&lt;DefaultHubDispatcher&lt;THub&gt;&gt;</c> the handler builds from its
/// <see cref="ILoggerFactory"/>; <c>ErrorDispatchingHubEvent</c> for OnConnectedAsync). For a <see cref="ChatHubException"/>
/// the chat has already counted and logged the failure, so those lines are dropped; every other line, and every other
/// exception, passes unchanged. The host's own hubs keep SignalR's logging as it is.
/// </summary>
internal sealed class ChatDispatcherLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new Filtering(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
        // The application's logger factory is the host's to dispose.
    }

    /// <summary>Builds the chat hub's connection handler (a closed registration, preferred to SignalR's open generic one) with this factory.</summary>
    public static void AddFor<THub>(IServiceCollection services)
        where THub : Hub =>
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<HubConnectionHandler<THub>>(
            sp, new ChatDispatcherLoggerFactory(sp.GetRequiredService<ILoggerFactory>())));

    private sealed class Filtering(ILogger logger) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => logger.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logger.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception is not ChatHubException)
            {
                logger.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
