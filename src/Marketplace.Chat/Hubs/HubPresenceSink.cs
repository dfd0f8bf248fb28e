using Marketplace.Chat.Presence;
using Microsoft.AspNetCore.SignalR;

namespace Marketplace.Chat.Hubs;

/// <summary>Announces presence changes found by the Redis sweep to the conversation's group on both hubs (only its own hub has members there).</summary>
internal sealed class HubPresenceSink(
    IHubContext<TransactionChatHub, IChatClient> transactions,
    IHubContext<DisputeChatHub, IChatClient> disputes) : IChatPresenceSink
{
    public Task PresenceChangedAsync(Guid conversationId, string userId, bool isOnline)
    {
        var notice = new PresenceChanged(conversationId, userId, isOnline);
        var group = ChatHubBase.GroupName(conversationId);
        return Task.WhenAll(transactions.Clients.Group(group).Presence(notice), disputes.Clients.Group(group).Presence(notice));
    }
}
