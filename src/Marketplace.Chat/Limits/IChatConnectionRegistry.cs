namespace Marketplace.Chat.Limits;

/// <summary>Counts each user's open chat connections, so <see cref="ChatLimitOptions.MaxConnectionsPerUser"/> holds (per node, or cluster-wide with Redis).</summary>
internal interface IChatConnectionRegistry
{
    /// <summary>Records an opening connection unless the user already holds <paramref name="cap"/>; returns whether it was recorded.</summary>
    ValueTask<bool> TryOpenAsync(string userId, string connectionId, int cap);

    /// <summary>Forgets a closed connection.</summary>
    ValueTask CloseAsync(string userId, string connectionId);
}
