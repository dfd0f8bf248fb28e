using Marketplace.Chat.Limits;
using Microsoft.AspNetCore.SignalR;

namespace Marketplace.Chat.Hubs;

/// <summary>
/// Reaches one user's connections on both hubs. SignalR's in-process lifetime manager finds a user's connections by
/// scanning every connection of the hub, which at a few thousand connections costs more than the rest of a message;
/// on that manager the chat addresses the connections it counted for the user on this node (one lookup) instead. Any
/// other lifetime manager (the Redis backplane, a hosted service) keeps SignalR's own per-user addressing, which
/// reaches the user's connections on every node, and so does a host that replaced the connection registry (this node's
/// list is then not kept).
/// </summary>
internal sealed class ChatUserClients(
    LocalChatConnectionRegistry connections,
    IChatConnectionRegistry registry,
    IHubContext<TransactionChatHub, IChatClient> transactions,
    IHubContext<DisputeChatHub, IChatClient> disputes,
    HubLifetimeManager<TransactionChatHub> transactionManager,
    HubLifetimeManager<DisputeChatHub> disputeManager)
{
    private readonly bool _inProcess =
        registry is LocalChatConnectionRegistry or Redis.RedisChatConnectionRegistry
        && transactionManager.GetType() == typeof(DefaultHubLifetimeManager<TransactionChatHub>)
        && disputeManager.GetType() == typeof(DefaultHubLifetimeManager<DisputeChatHub>);

    /// <summary>Sends to every connection of <paramref name="userId"/> on both hubs.</summary>
    public Task SendAsync(string userId, Func<IChatClient, Task> send)
    {
        if (!_inProcess)
        {
            return Task.WhenAll(send(transactions.Clients.User(userId)), send(disputes.Clients.User(userId)));
        }

        var ids = connections.ConnectionsOf(userId);
        return ids.Length == 0
            ? Task.CompletedTask
            : Task.WhenAll(send(transactions.Clients.Clients(ids)), send(disputes.Clients.Clients(ids)));
    }
}
