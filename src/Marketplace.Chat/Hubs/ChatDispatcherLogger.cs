using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Marketplace.Chat.Hubs;

/// <summary>
/// The logger SignalR's dispatcher and connection handler get for the chat hubs only. SignalR logs every exception a hub
/// method throws, <see cref="HubException"/> included, at Error with its stack trace (<c>DefaultHubDispatcherLog</c> event 8,
/// <c>FailedInvokingHubMethod</c>; <c>HubConnectionHandlerLog</c> <c>ErrorDispatchingHubEvent</c> for OnConnectedAsync).
/// For a <see cref="ChatHubException"/> the chat has already counted and logged the failure, so that line is dropped;
/// every other line, and every other exception, passes unchanged.
/// </summary>
internal sealed class ChatDispatcherLogger<T>(ILoggerFactory factory) : ILogger<T>
{
    private readonly ILogger _inner = new Logger<T>(factory);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => _inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => _inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (exception is ChatHubException)
        {
            return;
        }

        _inner.Log(logLevel, eventId, state, exception, formatter);
    }
}

/// <summary>Puts <see cref="ChatDispatcherLogger{T}"/> in front of SignalR's loggers for one chat hub.</summary>
internal static class ChatDispatcherLogging
{
    /// <summary>Registers this logger for the dispatcher (an internal SignalR type, found by name) and the connection handler of a hub.</summary>
    public static void AddFor<THub>(IServiceCollection services)
        where THub : Hub
    {
        var dispatcher = typeof(HubConnectionHandler<>).Assembly
            .GetType("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher`1", throwOnError: false)?.MakeGenericType(typeof(THub));
        foreach (var logged in new[] { dispatcher, typeof(HubConnectionHandler<THub>) })
        {
            if (logged is not null)
            {
                services.TryAddSingleton(
                    typeof(ILogger<>).MakeGenericType(logged), typeof(ChatDispatcherLogger<>).MakeGenericType(logged));
            }
        }
    }
}
