using Microsoft.Extensions.Logging;

namespace Marketplace.Chat.Hubs;

/// <summary>The hubs' own log lines.</summary>
internal static partial class HubLog
{
    [LoggerMessage(EventId = 2200, Level = LogLevel.Debug, Message = "A live notice was not relayed: the backplane is unreachable (clients catch up by history).")]
    public static partial void LiveNoticeDropped(ILogger logger, Exception exception);
}
