using Marketplace.Chat.Conversations;
using Marketplace.Chat.Events;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Messages;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Marketplace.Chat.Hubs;

/// <summary>Pushes committed domain events to the connected clients of the conversation's hub, from anywhere (payment webhooks included).</summary>
internal sealed class HubChatEventSink(
    IHubContext<TransactionChatHub, IChatClient> transactions,
    IHubContext<DisputeChatHub, IChatClient> disputes,
    ChatUserClients users,
    ILogger<HubChatEventSink> logger) : IChatEventSink
{
    public Task MessageAddedAsync(ChatConversationInfo conversation, ChatMessage message, CancellationToken cancellationToken) =>
        Relay(Readers(conversation, conversation.State).MessageReceived(message));

    /// <summary>
    /// Starts every push of the batch in order, then waits for all: each send reaches the lifetime manager (and, behind
    /// Redis, the backplane's connection) in call order, so one conversation's events keep their order, while a batch no
    /// longer waits for one backplane round trip per message.
    /// </summary>
    public Task MessagesAddedAsync(IReadOnlyList<(ChatConversationInfo Conversation, ChatMessage Message)> added, CancellationToken cancellationToken)
    {
        var pushes = new Task[added.Count];
        for (var i = 0; i < added.Count; i++)
        {
            pushes[i] = MessageAddedAsync(added[i].Conversation, added[i].Message, cancellationToken);
        }

        return Task.WhenAll(pushes);
    }

    public Task MessageChangedAsync(ChatConversationInfo conversation, ChatMessage message, CancellationToken cancellationToken) =>
        Relay(Readers(conversation, conversation.State).MessageChanged(message));

    public Task StateChangedAsync(ChatStateChange change, CancellationToken cancellationToken)
    {
        var c = change.Conversation;
        // Evidence readers learn of the change that ends their live view (Frozen -> Open/Closed), and of nothing after it.
        return Relay(Readers(c, change.From ?? change.To).StateChanged(new ConversationStateChanged(
            c.Id, c.Kind, change.From, change.To, change.Trigger, ChatLifecycleMachine.Explain(c.Kind, change.To), change.OccurredAt)));
    }

    public Task ReadPositionChangedAsync(Guid conversationId, string userId, long sequence, CancellationToken cancellationToken)
    {
        // Only the conversation's own hub has members in this group; the other send reaches nobody.
        var receipt = new ReadReceipt(conversationId, userId, sequence);
        var group = ChatHubBase.GroupName(conversationId);
        return Relay(Task.WhenAll(transactions.Clients.Group(group).ReadReceipt(receipt), disputes.Clients.Group(group).ReadReceipt(receipt)));
    }

    public Task ParticipantJoinedAsync(ChatConversationInfo conversation, string userId, ParticipantRole role, CancellationToken cancellationToken) =>
        Relay(Group(conversation.Kind, conversation.Id).ParticipantJoined(new ParticipantJoined(conversation.Id, userId, role)));

    public Task NotificationCountChangedAsync(string userId, int unreadCount, CancellationToken cancellationToken) =>
        Relay(users.SendAsync(userId, client => client.NotificationCountChanged(new NotificationCount(unreadCount))));

    /// <summary>Drops a live event the Redis backplane cannot carry right now: the entry is stored, clients gap-fill; not an error.</summary>
    private async Task Relay(Task push)
    {
        try
        {
            await push.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            HubLog.LiveNoticeDropped(logger, ex);
        }
    }

    /// <summary>The parties' group, plus the administrators' evidence group of a transaction chat while it is frozen.</summary>
    private IChatClient Readers(ChatConversationInfo conversation, ChatState state) =>
        conversation.Kind == ConversationKind.Transaction && state == ChatState.Frozen
            ? transactions.Clients.Groups(ChatHubBase.GroupName(conversation.Id), ChatHubBase.EvidenceGroupName(conversation.Id))
            : Group(conversation.Kind, conversation.Id);

    private IChatClient Group(ConversationKind kind, Guid conversationId) => kind == ConversationKind.Transaction
        ? transactions.Clients.Group(ChatHubBase.GroupName(conversationId))
        : disputes.Clients.Group(ChatHubBase.GroupName(conversationId));
}
