namespace Marketplace.Chat.Hubs;

/// <summary>
/// The conversations one connection joined. Most connections hold one or two (at most
/// <see cref="Limits.ChatLimitOptions.MaxJoinsPerConnection"/>), so a small list under a lock: a concurrent dictionary
/// would cost about half a kilobyte on every connection.
/// </summary>
internal sealed class JoinedConversations
{
    private readonly List<Guid> _ids = new(1);

    public int Count
    {
        get
        {
            lock (_ids)
            {
                return _ids.Count;
            }
        }
    }

    public bool Contains(Guid conversationId)
    {
        lock (_ids)
        {
            return _ids.Contains(conversationId);
        }
    }

    /// <summary>Adds a conversation unless it is there already.</summary>
    public void Add(Guid conversationId)
    {
        lock (_ids)
        {
            if (!_ids.Contains(conversationId))
            {
                _ids.Add(conversationId);
            }
        }
    }

    /// <summary>Removes a conversation; false when it was not joined.</summary>
    public bool Remove(Guid conversationId)
    {
        lock (_ids)
        {
            return _ids.Remove(conversationId);
        }
    }
}
