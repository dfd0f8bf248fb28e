namespace Marketplace.Chat.Presence;

/// <summary>
/// Who has which conversation open, on this server node only: presence is best-effort and never needed for
/// correctness. A user is online in a conversation while at least one of their connections has joined it.
/// The default without Redis, and the node's own record (and fallback) under the Redis presence.
/// Every read and write holds one lock (each is a few dictionary operations), so the per-conversation and
/// per-connection sets are plain small dictionaries: a concurrent dictionary costs about half a kilobyte each, and
/// there is one per joined connection.
/// </summary>
internal sealed class LocalChatPresence : IChatPresence
{
    private readonly Dictionary<Guid, Dictionary<string, string>> _byConversation = [];
    private readonly Dictionary<string, Dictionary<Guid, string>> _byConnection = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Records a join; returns true when it brings the user online in the conversation.</summary>
    public bool Join(Guid conversationId, string connectionId, string userId)
    {
        lock (_gate)
        {
            if (!_byConversation.TryGetValue(conversationId, out var connections))
            {
                _byConversation[conversationId] = connections = new Dictionary<string, string>(2, StringComparer.Ordinal);
            }

            var wasOnline = connections.Values.Contains(userId, StringComparer.Ordinal);
            connections[connectionId] = userId;
            if (!_byConnection.TryGetValue(connectionId, out var joined))
            {
                _byConnection[connectionId] = joined = new Dictionary<Guid, string>(1);
            }

            joined[conversationId] = userId;
            return !wasOnline;
        }
    }

    /// <summary>Records a leave; returns true when the user has no connection left in the conversation.</summary>
    public bool Leave(Guid conversationId, string connectionId)
    {
        lock (_gate)
        {
            if (!_byConversation.TryGetValue(conversationId, out var connections) || !connections.Remove(connectionId, out var userId))
            {
                return false;
            }

            if (_byConnection.TryGetValue(connectionId, out var joined))
            {
                joined.Remove(conversationId);
            }

            if (connections.Count == 0)
            {
                _byConversation.Remove(conversationId);
            }

            return !connections.Values.Contains(userId, StringComparer.Ordinal);
        }
    }

    /// <summary>Forgets a closed connection; returns the (conversation, user) pairs that went offline.</summary>
    public IReadOnlyList<(Guid ConversationId, string UserId)> Disconnect(string connectionId)
    {
        lock (_gate)
        {
            if (!_byConnection.Remove(connectionId, out var joined))
            {
                return [];
            }

            var offline = new List<(Guid, string)>();
            foreach (var (conversationId, userId) in joined)
            {
                if (_byConversation.TryGetValue(conversationId, out var connections))
                {
                    connections.Remove(connectionId);
                    if (!connections.Values.Contains(userId, StringComparer.Ordinal))
                    {
                        offline.Add((conversationId, userId));
                    }

                    if (connections.Count == 0)
                    {
                        _byConversation.Remove(conversationId);
                    }
                }
            }

            return offline;
        }
    }

    /// <summary>Lists the users online in a conversation.</summary>
    public IReadOnlyList<string> Online(Guid conversationId)
    {
        lock (_gate)
        {
            return _byConversation.TryGetValue(conversationId, out var connections)
                ? connections.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()
                : [];
        }
    }

    /// <summary>Counts open connections that joined at least one conversation.</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_gate)
            {
                return _byConnection.Count;
            }
        }
    }

    /// <summary>Lists every (conversation, connection, user) of this node, for the Redis heartbeat.</summary>
    public IReadOnlyList<(Guid ConversationId, string ConnectionId, string UserId)> Entries()
    {
        lock (_gate)
        {
            return _byConversation.SelectMany(c => c.Value.Select(e => (c.Key, e.Key, e.Value))).ToList();
        }
    }

    /// <summary>Lists the (conversation, user) pairs a connection has joined.</summary>
    public IReadOnlyList<(Guid ConversationId, string UserId)> JoinedBy(string connectionId)
    {
        lock (_gate)
        {
            return _byConnection.TryGetValue(connectionId, out var joined) ? joined.Select(p => (p.Key, p.Value)).ToList() : [];
        }
    }

    /// <summary>Finds the user a connection joined a conversation as.</summary>
    public string? UserOf(Guid conversationId, string connectionId)
    {
        lock (_gate)
        {
            return _byConversation.TryGetValue(conversationId, out var connections) && connections.TryGetValue(connectionId, out var userId) ? userId : null;
        }
    }

    ValueTask<bool> IChatPresence.JoinAsync(Guid conversationId, string connectionId, string userId) => ValueTask.FromResult(Join(conversationId, connectionId, userId));

    ValueTask<bool> IChatPresence.LeaveAsync(Guid conversationId, string connectionId) => ValueTask.FromResult(Leave(conversationId, connectionId));

    ValueTask<IReadOnlyList<(Guid ConversationId, string UserId)>> IChatPresence.DisconnectAsync(string connectionId) =>
        ValueTask.FromResult(Disconnect(connectionId));

    ValueTask<IReadOnlyList<string>> IChatPresence.OnlineAsync(Guid conversationId) => ValueTask.FromResult(Online(conversationId));
}
