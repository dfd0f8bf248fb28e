using System.Collections.Concurrent;
using Marketplace.Chat.Access;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Lifecycle;
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
    private readonly ChatHubServices _chat;

    private protected ChatHubBase(IServiceProvider services)
    {
        _chat = services.GetRequiredService<ChatHubServices>();
    }

    private protected abstract ConversationKind Kind { get; }

    /// <summary>Refuses anonymous connections before any method can be called.</summary>
    public override async Task OnConnectedAsync()
    {
        try
        {
            await CurrentUserAsync().ConfigureAwait(false);
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
        foreach (var (conversationId, userId) in _chat.Presence.Disconnect(Context.ConnectionId))
        {
            await Clients.Group(GroupName(conversationId)).Presence(new PresenceChanged(conversationId, userId, false)).ConfigureAwait(false);
        }

        await base.OnDisconnectedAsync(exception).ConfigureAwait(false);
    }

    /// <summary>Stops receiving a conversation's events on this connection.</summary>
    public async Task Leave(Guid conversationId)
    {
        if (!Joined.TryRemove(conversationId, out _))
        {
            return;
        }

        await Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupName(conversationId)).ConfigureAwait(false);
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, EvidenceGroupName(conversationId)).ConfigureAwait(false);
        if (_chat.Presence.Leave(conversationId, Context.ConnectionId))
        {
            var user = await CurrentUserAsync().ConfigureAwait(false);
            await Clients.OthersInGroup(GroupName(conversationId)).Presence(new PresenceChanged(conversationId, user.UserId, false)).ConfigureAwait(false);
        }
    }

    /// <summary>Sends a text message. Retrying with the same <paramref name="clientMessageId"/> returns the stored message and never stores a second copy.</summary>
    public async Task<ChatMessage> Send(Guid conversationId, Guid clientMessageId, string text)
    {
        var user = await JoinedUserAsync(conversationId).ConfigureAwait(false);
        _chat.Limiter.Acquire(user.UserId);
        return await _chat.Messaging.SendTextAsync(user, conversationId, clientMessageId, text, Context.ConnectionAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends an image or file message referencing an upload the caller made to this conversation over HTTP
    /// (<c>POST {prefix}/conversations/{conversationId}/attachments</c>), with an optional caption. An upload is sent once;
    /// retrying with the same <paramref name="clientMessageId"/> returns the stored message.
    /// </summary>
    public async Task<ChatMessage> SendAttachment(Guid conversationId, Guid clientMessageId, Guid attachmentId, string? caption)
    {
        var user = await JoinedUserAsync(conversationId).ConfigureAwait(false);
        _chat.Limiter.Acquire(user.UserId);
        return await _chat.Messaging.SendAttachmentAsync(user, conversationId, clientMessageId, attachmentId, caption, Context.ConnectionAborted).ConfigureAwait(false);
    }

    /// <summary>Gets a page of history: before a sequence (newest first), after one (oldest first, for gap-fill), or the newest.</summary>
    public async Task<ChatHistoryPage> History(Guid conversationId, long? beforeSequence, long? afterSequence, int limit)
    {
        var user = await JoinedUserAsync(conversationId).ConfigureAwait(false);
        return await _chat.Messaging.GetHistoryAsync(
            user, conversationId, new HistoryQuery(beforeSequence, afterSequence, limit <= 0 ? _chat.Options.SnapshotPageSize : limit),
            Context.ConnectionAborted).ConfigureAwait(false);
    }

    /// <summary>Moves the caller's read position forward and returns their unread count; the others get a read receipt.</summary>
    public async Task<int> MarkRead(Guid conversationId, long sequence)
    {
        var user = await JoinedUserAsync(conversationId).ConfigureAwait(false);
        return await _chat.Messaging.MarkReadAsync(user, conversationId, sequence, Context.ConnectionAborted).ConfigureAwait(false);
    }

    /// <summary>Tells the others the caller is typing (or stopped); throttled, never stored.</summary>
    public async Task Typing(Guid conversationId, bool isTyping)
    {
        var user = await JoinedUserAsync(conversationId).ConfigureAwait(false);
        var now = _chat.Clock.GetUtcNow();
        var last = (ConcurrentDictionary<Guid, DateTimeOffset>)Context.Items.GetOrAdd(TypingKey, static () => new ConcurrentDictionary<Guid, DateTimeOffset>());
        if (isTyping && last.TryGetValue(conversationId, out var previous) && now - previous < _chat.Options.TypingThrottle)
        {
            return;
        }

        await _chat.Messaging.AuthorizeAsync(user, conversationId, ChatAction.Typing, Context.ConnectionAborted).ConfigureAwait(false);
        last[conversationId] = isTyping ? now : DateTimeOffset.MinValue;
        await Clients.OthersInGroup(GroupName(conversationId)).Typing(new TypingNotice(conversationId, user.UserId, isTyping)).ConfigureAwait(false);
    }

    /// <summary>Edits one of the caller's messages where the state and the edit window allow.</summary>
    public async Task<ChatMessage> Edit(Guid conversationId, Guid messageId, string text)
    {
        var user = await JoinedUserAsync(conversationId).ConfigureAwait(false);
        return await _chat.Messaging.EditAsync(user, conversationId, messageId, text, Context.ConnectionAborted).ConfigureAwait(false);
    }

    /// <summary>Deletes one of the caller's messages where the state and the edit window allow.</summary>
    public async Task<ChatMessage> Delete(Guid conversationId, Guid messageId)
    {
        var user = await JoinedUserAsync(conversationId).ConfigureAwait(false);
        return await _chat.Messaging.DeleteAsync(user, conversationId, messageId, Context.ConnectionAborted).ConfigureAwait(false);
    }

    /// <summary>Joins after the access check, then reads the snapshot, so no message falls between history and live events.</summary>
    private protected async Task<ChatSnapshot> JoinAsync(string externalId)
    {
        var user = await CurrentUserAsync().ConfigureAwait(false);
        var opened = await _chat.Messaging.OpenAsync(user, Kind, externalId, Context.ConnectionAborted).ConfigureAwait(false);
        var conversationId = opened.Id;
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupFor(opened, user), Context.ConnectionAborted).ConfigureAwait(false);
        Joined[conversationId] = Kind;
        if (_chat.Presence.Join(conversationId, Context.ConnectionId, user.UserId))
        {
            await Clients.OthersInGroup(GroupName(conversationId)).Presence(new PresenceChanged(conversationId, user.UserId, true)).ConfigureAwait(false);
        }

        // Read after joining the group: anything sent meanwhile is in the page, the live events, or both (clients dedupe).
        var current = await _chat.Messaging.GetViewAsync(user, conversationId, Context.ConnectionAborted).ConfigureAwait(false);
        var page = await _chat.Messaging.GetHistoryAsync(
            user, conversationId, new HistoryQuery(Limit: _chat.Options.SnapshotPageSize), Context.ConnectionAborted).ConfigureAwait(false);
        var c = current.Conversation;
        return new ChatSnapshot(
            c.Id, c.Kind, c.TransactionId, c.DisputeId, c.State, ChatLifecycleMachine.Explain(c.Kind, c.State), current.Relation,
            current.Participants, current.Permissions, c.LastSequence, current.LastReadSequence, current.UnreadCount,
            page.Messages, page.HasMore, _chat.Presence.Online(conversationId));
    }

    private protected ValueTask<ChatUser> CurrentUserAsync() => _chat.Users.ResolveAsync(Context.UserIdentifier, Context.User);

    private async ValueTask<ChatUser> JoinedUserAsync(Guid conversationId)
    {
        var user = await CurrentUserAsync().ConfigureAwait(false);
        if (!Joined.ContainsKey(conversationId))
        {
            throw new ChatException(ChatErrorCode.NotJoined, "Join this conversation on this connection first.");
        }

        return user;
    }

    private ConcurrentDictionary<Guid, ConversationKind> Joined =>
        (ConcurrentDictionary<Guid, ConversationKind>)Context.Items.GetOrAdd(JoinedKey, static () => new ConcurrentDictionary<Guid, ConversationKind>());

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
