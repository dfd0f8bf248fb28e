using Marketplace.Chat.Diagnostics;
using Microsoft.AspNetCore.SignalR;

namespace Marketplace.Chat.Hubs;

/// <summary>
/// Turns what a hub method throws into the one exception whose text reaches SignalR clients, <c>HubException("Code: reason")</c>:
/// a refusal keeps its code (counted once, logged at Debug, rate-limited); a database or network outage becomes
/// <see cref="ChatErrorCode.Unavailable"/> (logged at Warning without a stack trace, rate-limited); anything else is logged
/// once at Error with an error id the client is shown (<c>Unexpected: ... (error id …)</c>), nothing else about it leaks.
/// </summary>
internal sealed class ChatHubExceptionFilter(ChatMetrics metrics, RefusalLog log) : IHubFilter
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
            throw Refused(invocationContext.HubMethodName, refusal);
        }
        catch (Exception ex) when (ex is not HubException && ChatFailures.IsUnavailable(ex))
        {
            throw Refused(invocationContext.HubMethodName, ChatFailures.Unavailable(), ex);
        }
        catch (Exception ex) when (ex is not HubException and not OperationCanceledException)
        {
            var errorId = log.Unexpected(invocationContext.HubMethodName, ex);
            throw new ChatHubException($"Unexpected: The server could not complete '{invocationContext.HubMethodName}' (error id {errorId}).");
        }
    }

    /// <summary>Counts, logs and formats a refusal (or an outage, with its cause) as clients receive it.</summary>
    public ChatHubException Refused(string where, ChatException refusal, Exception? cause = null)
    {
        metrics.Refused(refusal);
        if (cause is null)
        {
            log.Refused(where, refusal.Code);
        }
        else
        {
            log.Unavailable(where, cause);
        }

        return ChatHubException.From(refusal);
    }

    /// <summary>Formats a refusal as clients receive it.</summary>
    public static HubException ToHubException(ChatException refusal) => ChatHubException.From(refusal);
}
