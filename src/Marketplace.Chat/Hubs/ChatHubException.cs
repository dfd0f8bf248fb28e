using Microsoft.AspNetCore.SignalR;

namespace Marketplace.Chat.Hubs;

/// <summary>
/// The <see cref="HubException"/> the chat hubs answer with (a refusal, an outage or an unexpected error the chat has
/// already counted and logged): its text reaches the client as <c>Code: reason</c>, and SignalR's own Error line for it
/// is dropped by <see cref="ChatDispatcherLoggerFactory"/>, so each failure is logged once, by the chat.
/// </summary>
internal sealed class ChatHubException(string message) : HubException(message)
{
    /// <summary>Formats a refusal as clients receive it.</summary>
    public static ChatHubException From(ChatException refusal) => new($"{refusal.Code}: {refusal.Message}");
}
