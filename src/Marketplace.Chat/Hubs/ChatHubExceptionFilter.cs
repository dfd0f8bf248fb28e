using Marketplace.Chat.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Marketplace.Chat.Hubs;

/// <summary>
/// Turns a refusal into the one exception whose text reaches SignalR clients: <c>HubException("Code: reason")</c>.
/// Anything else stays a server error, logged here and hidden from the client by SignalR.
/// </summary>
internal sealed class ChatHubExceptionFilter(ILogger<ChatHubExceptionFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(
        HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext).ConfigureAwait(false);
        }
        catch (ChatException refusal)
        {
            throw ToHubException(refusal);
        }
        catch (Exception ex) when (ex is not HubException and not OperationCanceledException)
        {
            ChatLog.HubMethodFailed(logger, ex, invocationContext.HubMethodName, invocationContext.Context.ConnectionId);
            throw;
        }
    }

    /// <summary>Formats a refusal as clients receive it.</summary>
    public static HubException ToHubException(ChatException refusal) => new($"{refusal.Code}: {refusal.Message}");
}
