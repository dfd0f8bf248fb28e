using System.Data.Common;
using System.Net.Sockets;

namespace Marketplace.Chat.Diagnostics;

/// <summary>
/// Tells an infrastructure failure (the database unreachable, shutting down, overloaded or too slow; a broken connection)
/// from a bug: the first deserves <see cref="ChatErrorCode.Unavailable"/> and a retry, the second an error id and a log line.
/// </summary>
internal static class ChatFailures
{
    /// <summary>Decides whether an exception, or one it wraps, says the database or the network is unavailable right now.</summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case TimeoutException or SocketException:
                    return true;
                case DbException db when db.IsTransient || IsUnavailableState(db.SqlState):
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsUnavailable):
                    return true;
            }
        }

        return false;
    }

    /// <summary>Builds the refusal a client gets while the chat cannot reach its database.</summary>
    public static ChatException Unavailable() =>
        new(ChatErrorCode.Unavailable, "The chat cannot reach its database right now; try again in a few seconds.");

    /// <summary>Builds the refusal a call gets when it reaches a queue of this node as the node shuts down.</summary>
    public static ChatException ShuttingDown() =>
        new(ChatErrorCode.Unavailable, "The chat is shutting down; try again in a moment.");

    /// <summary>SQLSTATE classes 08 (connection), 53 (insufficient resources), 57 (operator intervention: shutdown), 58 (system error).</summary>
    private static bool IsUnavailableState(string? sqlState) =>
        sqlState is { Length: 5 } && (sqlState.StartsWith("08", StringComparison.Ordinal) || sqlState.StartsWith("53", StringComparison.Ordinal)
            || sqlState.StartsWith("57", StringComparison.Ordinal) || sqlState.StartsWith("58", StringComparison.Ordinal));
}
