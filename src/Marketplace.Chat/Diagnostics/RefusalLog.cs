using Microsoft.Extensions.Logging;

namespace Marketplace.Chat.Diagnostics;

/// <summary>
/// Writes refusals and outages at the edge: refusals at Debug, outages at Warning, never with a stack trace, and at most
/// <see cref="LinesPerSecond"/> lines a second per node; a flood is summarised by the count of lines left out.
/// Unexpected errors are always logged, once, at Error, with the id the client is shown.
/// </summary>
internal sealed class RefusalLog(ILogger<RefusalLog> logger, TimeProvider clock)
{
    /// <summary>The most refusal or outage lines written per second; the rest are counted and reported with the next line.</summary>
    public const int LinesPerSecond = 10;

    private readonly Lock _gate = new();
    private long _windowStart;
    private int _inWindow;
    private int _suppressed;

    /// <summary>Logs an ordinary refusal at Debug, within the rate limit.</summary>
    public void Refused(string where, ChatErrorCode code)
    {
        if (logger.IsEnabled(LogLevel.Debug) && TryTake(out var suppressed))
        {
            ChatLog.EdgeRefused(logger, where, code.ToString(), suppressed);
        }
    }

    /// <summary>Logs an infrastructure failure at Warning (message only, no stack trace), within the rate limit.</summary>
    public void Unavailable(string where, Exception exception)
    {
        if (TryTake(out var suppressed))
        {
            ChatLog.EdgeUnavailable(logger, where, exception.GetType().Name, exception.GetBaseException().Message, suppressed);
        }
    }

    /// <summary>Logs an unexpected failure once at Error with its stack trace, and returns the id the client is told.</summary>
    public string Unexpected(string where, Exception exception)
    {
        var errorId = Guid.NewGuid().ToString("N")[..12];
        ChatLog.EdgeUnexpected(logger, exception, where, errorId);
        return errorId;
    }

    private bool TryTake(out int suppressed)
    {
        var now = clock.GetTimestamp();
        lock (_gate)
        {
            if (clock.GetElapsedTime(_windowStart, now) >= TimeSpan.FromSeconds(1))
            {
                _windowStart = now;
                _inWindow = 0;
            }

            if (_inWindow >= LinesPerSecond)
            {
                _suppressed++;
                suppressed = 0;
                return false;
            }

            _inWindow++;
            suppressed = _suppressed;
            _suppressed = 0;
            return true;
        }
    }
}
