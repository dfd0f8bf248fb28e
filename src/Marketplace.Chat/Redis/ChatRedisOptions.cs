namespace Marketplace.Chat.Redis;

/// <summary>Configures the chat's scale-out on Redis: the backplane, cluster-wide presence, budgets and connection caps.</summary>
public sealed class ChatRedisOptions
{
    /// <summary>Gets or sets the StackExchange.Redis configuration string, e.g. <c>localhost:6379</c> or <c>redis1:6379,password=...,ssl=true</c>. Required.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Gets or sets the prefix of every key and channel the chat uses, so several sites can share one Redis. Defaults to <c>mpchat:</c>.</summary>
    public string KeyPrefix { get; set; } = "mpchat:";

    /// <summary>Gets or sets how often a node re-asserts its connections and presence in Redis and sweeps expired ones. Defaults to 5 seconds.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets how long a connection's presence and connection-cap entry lives without a heartbeat. Defaults to 15 seconds.
    /// A killed node's users are announced offline within <see cref="EntryLifetime"/> + <see cref="HeartbeatInterval"/>.
    /// </summary>
    public TimeSpan EntryLifetime { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Gets or sets how long one Redis call may take before the chat answers locally instead. Defaults to 1 second.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the longest time a dead node's users stay online for the others.</summary>
    public TimeSpan PresenceOfflineBound => EntryLifetime + HeartbeatInterval;
}
