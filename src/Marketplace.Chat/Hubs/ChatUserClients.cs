using Marketplace.Chat.Limits;
using Microsoft.AspNetCore.SignalR;

namespace Marketplace.Chat.Hubs;

/// <summary>
/// Reaches one user's connections on both hubs. SignalR's in-process lifetime manager finds a user's connections (and
/// a list of connection ids) by scanning every connection of the hub, which at a few thousand connections costs more
/// than the rest of a message; on that manager the chat addresses each connection it counted for the user on this node
/// by its id (a dictionary lookup) instead. Any
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

        // One connection at a time: Clients(ids) filters every connection of the hub as User does; Client(id) is a lookup.
        // A connection belongs to one hub, so the other hub's lookup finds nothing and sends nothing.
        var ids = connections.ConnectionsOf(userId);
        if (ids.Length == 0)
        {
            return Task.CompletedTask;
        }

        var sends = new Task[ids.Length * 2];
        for (var i = 0; i < ids.Length; i++)
        {
            sends[2 * i] = send(transactions.Clients.Client(ids[i]));
            sends[(2 * i) + 1] = send(disputes.Clients.Client(ids[i]));
        }

        return Task.WhenAll(sends);
    }
}
