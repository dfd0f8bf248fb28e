using Marketplace.Chat.DependencyInjection;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.Routing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the chat's hubs and HTTP endpoints.</summary>
public static class ChatEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <see cref="TransactionChatHub"/> at <c>{prefix}/transactions</c> and <see cref="DisputeChatHub"/> at
    /// <c>{prefix}/disputes</c>, behind the origin check. Returns the group, so the host can chain
    /// <c>.RequireAuthorization()</c>.
    /// </summary>
    public static RouteGroupBuilder MapMarketplaceChat(this IEndpointRouteBuilder endpoints, string prefix = "/chat")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<ChatMarkerService>() is null)
        {
            throw new InvalidOperationException(
                "Marketplace.Chat is not registered. Call builder.Services.AddMarketplaceChat(...) before app.MapMarketplaceChat().");
        }

        var group = endpoints.MapGroup(prefix);
        ((IEndpointConventionBuilder)group).Add(endpoint => endpoint.RequestDelegate = endpoint.RequestDelegate is { } next ? ChatOriginCheck.Wrap(next) : null);
        group.MapHub<TransactionChatHub>("/transactions");
        group.MapHub<DisputeChatHub>("/disputes");
        ChatNotificationEndpoints.Map(group);
        ChatAttachmentEndpoints.Map(group);
        if (endpoints.ServiceProvider.GetService<EvidenceExportMarker>() is not null)
        {
            ChatEvidenceEndpoints.Map(group);
        }

        return group;
    }
}
