using System.Diagnostics;
using Marketplace.Chat.Diagnostics;
using Microsoft.AspNetCore.SignalR;

namespace Marketplace.Chat.Hubs;

/// <summary>Records one activity per hub method call on <see cref="ChatDiagnostics.ActivitySourceName"/>, with the refusal code when the chat says no.</summary>
internal sealed class ChatActivityFilter : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(
        HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var hub = invocationContext.Hub.GetType().Name;
        using var activity = ChatActivities.Source.StartActivity($"{hub}/{invocationContext.HubMethodName}", ActivityKind.Server);
        activity?.SetTag("rpc.system", "signalr");
        activity?.SetTag("rpc.service", hub);
        activity?.SetTag("rpc.method", invocationContext.HubMethodName);
        try
        {
            return await next(invocationContext).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ChatActivities.Fail(activity, ex);
            throw;
        }
    }
}
