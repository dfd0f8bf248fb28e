namespace Marketplace.Chat.Limits;

/// <summary>The connections of this node, by user: the cap without Redis, the heartbeat's list and the fallback with it.</summary>
internal sealed class LocalChatConnectionRegistry : IChatConnectionRegistry
{
    private readonly Dictionary<string, HashSet<string>> _byUser = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public ValueTask<bool> TryOpenAsync(string userId, string connectionId, int cap) => ValueTask.FromResult(TryOpen(userId, connectionId, cap));

    public ValueTask CloseAsync(string userId, string connectionId)
    {
        lock (_gate)
        {
            if (_byUser.TryGetValue(userId, out var connections) && connections.Remove(connectionId) && connections.Count == 0)
            {
                _byUser.Remove(userId);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Records a connection unless the user holds <paramref name="cap"/> here already.</summary>
    public bool TryOpen(string userId, string connectionId, int cap)
    {
        lock (_gate)
        {
            if (!_byUser.TryGetValue(userId, out var connections))
            {
                _byUser[userId] = connections = new HashSet<string>(StringComparer.Ordinal);
            }

            if (connections.Count >= cap && !connections.Contains(connectionId))
            {
                return false;
            }

            connections.Add(connectionId);
            return true;
        }
    }

    /// <summary>Lists one user's connections on this node (empty when they have none).</summary>
    public string[] ConnectionsOf(string userId)
    {
        lock (_gate)
        {
            return _byUser.TryGetValue(userId, out var connections) ? [.. connections] : [];
        }
    }

    /// <summary>Lists this node's connections by user.</summary>
    public IReadOnlyList<(string UserId, string[] ConnectionIds)> Snapshot()
    {
        lock (_gate)
        {
            return _byUser.Select(u => (u.Key, u.Value.ToArray())).ToList();
        }
    }
}
