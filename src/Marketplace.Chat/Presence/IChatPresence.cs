namespace Marketplace.Chat.Presence;

/// <summary>
/// Who is online in which conversation: a user is online while at least one of their connections has joined it.
/// Per node without Redis; cluster-wide with <c>AddRedis</c>, where a dead node's connections expire within
/// <c>ChatRedisOptions.PresenceOfflineBound</c>. Best-effort: never needed for correctness.
/// </summary>
internal interface IChatPresence
{
    /// <summary>Records a join; returns true when it brings the user online in the conversation.</summary>
    ValueTask<bool> JoinAsync(Guid conversationId, string connectionId, string userId);

    /// <summary>Records a leave; returns true when the user has no connection left in the conversation.</summary>
    ValueTask<bool> LeaveAsync(Guid conversationId, string connectionId);

    /// <summary>Forgets a closed connection; returns the (conversation, user) pairs that went offline.</summary>
    ValueTask<IReadOnlyList<(Guid ConversationId, string UserId)>> DisconnectAsync(string connectionId);

    /// <summary>Lists the users online in a conversation, in order.</summary>
    ValueTask<IReadOnlyList<string>> OnlineAsync(Guid conversationId);
}

/// <summary>Tells connected clients about presence changes nobody's own call caused (a dead node's users expiring).</summary>
internal interface IChatPresenceSink
{
    /// <summary>Announces that a user came online or went offline in a conversation.</summary>
    Task PresenceChangedAsync(Guid conversationId, string userId, bool isOnline);
}
