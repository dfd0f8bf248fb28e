using System.Collections.Concurrent;
using Marketplace.Chat.Access;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Limits;
using Marketplace.Chat.Messages;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.Hubs;

/// <summary>
/// The server methods both chat hubs share. Every method authenticates the caller, checks that this connection
/// joined the conversation, and lets the messaging service check access against the conversation's current state.
/// The sender of a message is always the authenticated user.
/// </summary>
public abstract class ChatHubBase : Hub<IChatClient>
{
    private const string JoinedKey = "mpchat.joined";
    private const string TypingKey = "mpchat.typing";
    private const string CountedKey = "mpchat.counted";
    private readonly ChatHubServices _chat;

    private protected ChatHubBase(IServiceProvider services)
    {
        _chat = services.GetRequiredService<ChatHubServices>();
    }

    private protected abstract ConversationKind Kind { get; }

    /// <summary>Refuses anonymous connections, and connections beyond the user's cap, before any method can be called.</summary>
    public override async Task OnConnectedAsync()
    {
        try
        {
            var user = await CurrentUserAsync().ConfigureAwait(false);
            var cap = _chat.Options.Limits.MaxConnectionsPerUser;
            if (!await _chat.Connections.TryOpenAsync(user.UserId, Context.ConnectionId, cap).ConfigureAwait(false))
            {
                throw new ChatException(
                    ChatErrorCode.TooManyConnections, $"You have {cap} chat connections open already; close one (another tab or device) and try again.");
            }

            Context.Items[CountedKey] = user.UserId;
        }
        catch (ChatException refusal)
        {
            throw ChatHubExceptionFilter.ToHubException(refusal);
        }

        await base.OnConnectedAsync().ConfigureAwait(false);
    }

    /// <summary>Announces that the connection's user went offline where it was their last connection.</summary>
    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.TryGetValue(CountedKey, out var counted) && counted is string countedUser)
        {
            await _chat.Connections.CloseAsync(countedUser, Context.ConnectionId).ConfigureAwait(false);
        }

        foreach (var (conversationId, userId) in await _chat.Presence.DisconnectAsync(Context.ConnectionId).ConfigureAwait(false))
        {
            await RelayAsync(Clients.Group(GroupName(conversationId)).Presence(new PresenceChanged(conversationId, userId, false))).ConfigureAwait(false);
        }

        await base.OnDisconnectedAsync(exception).ConfigureAwait(false);
    }

    /// <summary>Stops receiving a conversation's events on this connection.</summary>
    public async Task Leave(Guid conversationId)
    {
        if (!Joined.Remove(conversationId))
        {
            return;
        }

        await RelayAsync(Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupName(conversationId))).ConfigureAwait(false);
        await RelayAsync(Groups.RemoveFromGroupAsync(Context.ConnectionId, EvidenceGroupName(conversationId))).ConfigureAwait(false);
        if (await _chat.Presence.LeaveAsync(conversationId, Context.ConnectionId).ConfigureAwait(false))
        {
            var user = await CurrentUserAsync().ConfigureAwait(false);
            await RelayAsync(Clients.OthersInGroup(GroupName(conversationId)).Presence(new PresenceChanged(conversationId, user.UserId, false))).ConfigureAwait(false);
        }
    }

    /// <summary>Sends a text message. Retrying with the same <paramref name="clientMessageId"/> returns the stored message and never stores a second copy.</summary>
    public async Task<ChatMessage> Send(Guid conversationId, Guid clientMessageId, string text)
    {
        var user = await JoinedUserAsync(conversationId).ConfigureAwait(false);
        return await ChargedSendAsync(user, conversationId, clientMessageId, ct => _chat.Messaging.SendTextAsync(user, conversationId, clientMessageId, text, ct))
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Sends an image or file message referencing an upload the caller made to this conversation over HTTP
    /// (<c>POST {prefix}/conversations/{conversationId}/attachments</c>), with an optional caption. An upload is sent once;
    /// retrying with the same <paramref name="clientMessageId"/> returns the stored message.
    /// </summary>
    public async Task<ChatMessage> SendAttachment(Guid conversationId, Guid clientMessageId, Guid attachmentId, string? caption)
    {
        var user = await JoinedUserAsync(conversationId).ConfigureAwait(false);
        return await ChargedSendAsync(
            user, conversationId, clientMessageId, ct => _chat.Messaging.SendAttachmentAsync(user, conversationId, clientMessageId, attachmentId, caption, ct))
            .ConfigureAwait(false);
    }

    /// <summary>Gets a page of history: before a sequence (newest first), after one (oldest first, for gap-fill), or the newest.</summary>
    public async Task<ChatHistoryPage> History(Guid conversationId, long? beforeSequence, long? afterSequence, int limit)
    {
        var user = await JoinedUserAsync(conversationId).ConfigureAwait(false);
        await _chat.Budgets.AcquireAsync(ChatBudget.History, user.UserId, Context.ConnectionAborted).ConfigureAwait(false);
        return await _chat.Messaging.GetHistoryAsync(
            user, conversationId, new HistoryQuery(beforeSequence, afterSequence, limit <= 0 ? _chat.Options.SnapshotPageSize : limit),
            Context.ConnectionAborted).ConfigureAwait(false);
    }

    /// <summary>Moves the caller's read position forward and returns their unread count; the others get a read receipt.</summary>
    public async Task<int> MarkRead(Guid conversationId, long sequence)
    {
        var user = await JoinedUserAsync(conversationId).ConfigureAwait(false);
        await _chat.Budgets.AcquireAsync(ChatBudget.Read, user.UserId, Context.ConnectionAborted).ConfigureAwait(false);
        return await _chat.Messaging.MarkReadAsync(user, conversationId, sequence, Context.ConnectionAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Tells the others the caller is typing (or stopped); never stored. Throttled in both directions: a "typing" is
    /// relayed at most once per <c>TypingThrottle</c>, a "stopped" only when the last relayed notice said "typing", and a
    /// "stopped" never restarts the throttle; every call draws from the user's typing budget.
    /// </summary>
    public async Task Typing(Guid conversationId, bool isTyping)
    {
        var user = await JoinedUserAsync(conversationId).ConfigureAwait(false);
        await _chat.Budgets.AcquireAsync(ChatBudget.Typing, user.UserId, Context.ConnectionAborted).ConfigureAwait(false);
        var now = _chat.Clock.GetUtcNow();
        var states = (ConcurrentDictionary<Guid, TypingState>)Context.Items.GetOrAdd(TypingKey, static () => new ConcurrentDictionary<Guid, TypingState>());
        var state = states.GetValueOrDefault(conversationId, new TypingState(DateTimeOffset.MinValue, false));
        var relay = isTyping ? now - state.LastTypingAt >= _chat.Options.TypingThrottle : state.Shown;
        if (!relay)
        {
            return;
        }

        await _chat.Messaging.AuthorizeAsync(user, conversationId, ChatAction.Typing, Context.ConnectionAborted).ConfigureAwait(false);
        states[conversationId] = isTyping ? new TypingState(now, true) : state with { Shown = false };
        await RelayAsync(Clients.OthersInGroup(GroupName(conversationId)).Typing(new TypingNotice(conversationId, user.UserId, isTyping))).ConfigureAwait(false);
    }

    /// <summary>Edits one of the caller's messages where the state and the edit window allow.</summary>
    public async Task<ChatMessage> Edit(Guid conversationId, Guid messageId, string text)
    {
        var user = await JoinedUserAsync(conversationId).ConfigureAwait(false);
        await _chat.Budgets.AcquireAsync(ChatBudget.Edit, user.UserId, Context.ConnectionAborted).ConfigureAwait(false);
        return await _chat.Messaging.EditAsync(user, conversationId, messageId, text, Context.ConnectionAborted).ConfigureAwait(false);
    }

    /// <summary>Deletes one of the caller's messages where the state and the edit window allow.</summary>
    public async Task<ChatMessage> Delete(Guid conversationId, Guid messageId)
    {
        var user = await JoinedUserAsync(conversationId).ConfigureAwait(false);
        await _chat.Budgets.AcquireAsync(ChatBudget.Edit, user.UserId, Context.ConnectionAborted).ConfigureAwait(false);
        return await _chat.Messaging.DeleteAsync(user, conversationId, messageId, Context.ConnectionAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Gets the conversation's log as written (originals of edited messages, texts of deleted ones, the chain's
    /// verification): administrators only, in a dispute chat or the transaction chat of a disputed transaction.
    /// </summary>
    public async Task<ChatEvidence> Evidence(Guid conversationId)
    {
        var user = await JoinedUserAsync(conversationId).ConfigureAwait(false);
        return await _chat.Messaging.GetEvidenceAsync(user, conversationId, Context.ConnectionAborted).ConfigureAwait(false);
    }

    /// <summary>Joins after the access check, then reads the snapshot, so no message falls between history and live events.</summary>
    private protected async Task<ChatSnapshot> JoinAsync(string externalId)
    {
        var user = await CurrentUserAsync().ConfigureAwait(false);
        await _chat.Budgets.AcquireAsync(ChatBudget.Join, user.UserId, Context.ConnectionAborted).ConfigureAwait(false);
        var opened = await _chat.Messaging.OpenAsync(user, Kind, externalId, Context.ConnectionAborted).ConfigureAwait(false);
        var conversationId = opened.Id;
        var cap = _chat.Options.Limits.MaxJoinsPerConnection;
        if (!Joined.Contains(conversationId) && Joined.Count >= cap)
        {
            throw new ChatException(
                ChatErrorCode.TooManyConnections, $"This connection has {cap} conversations open already; leave one before joining another.");
        }

        // With the Redis backplane down the group subscription is re-established by the client library when Redis returns.
        await RelayAsync(Groups.AddToGroupAsync(Context.ConnectionId, GroupFor(opened, user), Context.ConnectionAborted)).ConfigureAwait(false);
        Joined.Add(conversationId);
        if (await _chat.Presence.JoinAsync(conversationId, Context.ConnectionId, user.UserId).ConfigureAwait(false))
        {
            await RelayAsync(Clients.OthersInGroup(GroupName(conversationId)).Presence(new PresenceChanged(conversationId, user.UserId, true))).ConfigureAwait(false);
        }

        // Read after joining the group: anything sent meanwhile is in the page, the live events, or both (clients dedupe).
        var current = await _chat.Messaging.GetViewAsync(user, conversationId, Context.ConnectionAborted).ConfigureAwait(false);
        var page = await _chat.Messaging.GetHistoryAsync(
            user, conversationId, new HistoryQuery(Limit: _chat.Options.SnapshotPageSize), Context.ConnectionAborted).ConfigureAwait(false);
        var c = current.Conversation;
        return new ChatSnapshot(
            c.Id, c.Kind, c.TransactionId, c.DisputeId, c.State, ChatLifecycleMachine.Explain(c.Kind, c.State), current.Relation,
            current.Participants, current.Permissions, c.LastSequence, current.LastReadSequence, current.UnreadCount,
            page.Messages, page.HasMore, await _chat.Presence.OnlineAsync(conversationId).ConfigureAwait(false));
    }

    /// <summary>
    /// Charges a send to the user's budget; a retry of a stored message is never refused (an empty budget still answers it
    /// with the stored copy) and never charged (its token is given back).
    /// </summary>
    private async Task<ChatMessage> ChargedSendAsync(ChatUser user, Guid conversationId, Guid clientMessageId, Func<CancellationToken, Task<ChatMessage>> send)
    {
        var ct = Context.ConnectionAborted;
        var started = _chat.Clock.GetUtcNow();
        var answer = await _chat.Budgets.TryAcquireAsync(ChatBudget.Send, user.UserId, ct).ConfigureAwait(false);
        if (!answer.Granted)
        {
            // Only a stored id can be a retry: the batched probe answers most refusals without a query of their own.
            var stored = await _chat.StoredIds.IsStoredAsync(clientMessageId, ct).ConfigureAwait(false)
                ? await _chat.Messaging.FindRetryAsync(user, conversationId, clientMessageId, ct).ConfigureAwait(false)
                : null;
            return stored ?? throw _chat.Budgets.Refuse(ChatBudget.Send, answer.RetryAfter);
        }

        var message = await send(ct).ConfigureAwait(false);
        if (message.SentAt < started)
        {
            // Stored before this call began: an earlier attempt paid for it.
            await _chat.Budgets.RefundAsync(ChatBudget.Send, user.UserId).ConfigureAwait(false);
        }

        return message;
    }

    /// <summary>Sends a live notice; with the Redis backplane unreachable it is dropped (clients gap-fill), never an error for the caller.</summary>
    private async Task RelayAsync(Task push)
    {
        try
        {
            await push.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            HubLog.LiveNoticeDropped(_chat.Logger, ex);
        }
    }

    private readonly record struct TypingState(DateTimeOffset LastTypingAt, bool Shown);

    private protected ValueTask<ChatUser> CurrentUserAsync() => _chat.Users.ResolveAsync(Context.UserIdentifier, Context.User);

    private async ValueTask<ChatUser> JoinedUserAsync(Guid conversationId)
    {
        var user = await CurrentUserAsync().ConfigureAwait(false);
        if (!Joined.Contains(conversationId))
        {
            throw new ChatException(ChatErrorCode.NotJoined, "Join this conversation on this connection first.");
        }

        return user;
    }

    private JoinedConversations Joined => (JoinedConversations)Context.Items.GetOrAdd(JoinedKey, static () => new JoinedConversations());

    /// <summary>Names the SignalR group of a conversation.</summary>
    internal static string GroupName(Guid conversationId) => "mpchat:" + conversationId.ToString("N");

    /// <summary>
    /// Names the group administrators reading a transaction chat as evidence join instead: it gets the chat's messages
    /// live only while the chat is frozen (the dispute open), so a resumed chat stops reaching them at the resolution.
    /// </summary>
    internal static string EvidenceGroupName(Guid conversationId) => "mpchat-evidence:" + conversationId.ToString("N");

    private static string GroupFor(Persistence.ConversationRecord conversation, ChatUser user) =>
        conversation.Kind == ConversationKind.Transaction && ChatMessagingService.RelationOf(conversation, user) == ChatRelation.Admin
            ? EvidenceGroupName(conversation.Id)
            : GroupName(conversation.Id);
}

/// <summary>Adds <c>GetOrAdd</c> to <see cref="HubCallerContext.Items"/>.</summary>
internal static class HubItems
{
    public static object GetOrAdd(this IDictionary<object, object?> items, string key, Func<object> create)
    {
        if (items.TryGetValue(key, out var value) && value is not null)
        {
            return value;
        }

        value = create();
        items[key] = value;
        return value;
    }
}
