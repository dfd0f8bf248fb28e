using Microsoft.Extensions.Logging;

namespace Marketplace.Chat.Redis;

/// <summary>The Redis scale-out's log lines: a fallback is ordinary while Redis restarts, so it is Debug, and one Warning per outage.</summary>
internal static partial class RedisLog
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Debug, Message = "Redis could not answer {What}; answered locally on this node.")]
    public static partial void AnsweredLocally(ILogger logger, Exception? exception, string what);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning,
        Message = "Redis is unreachable: budgets and connection caps are enforced per node, presence is per node and live events do not cross nodes until it returns.")]
    public static partial void Unreachable(ILogger logger);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Redis is reachable again: connections and presence re-asserted.")]
    public static partial void Reachable(ILogger logger);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Debug, Message = "Presence: {UserId} expired from conversation {ConversationId} (their node stopped sending heartbeats).")]
    public static partial void Expired(ILogger logger, string userId, Guid conversationId);
}
