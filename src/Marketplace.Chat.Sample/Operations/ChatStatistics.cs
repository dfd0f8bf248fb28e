using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.SignalR;

namespace Marketplace.Chat.Sample.Operations;

/// <summary>
/// Adds up every counter the chat library publishes on its meter ("Marketplace.Chat"), by instrument and tag, so the
/// admin's stats page can show them without an OpenTelemetry collector. New instruments (notifications, uploads...)
/// appear on their own.
/// </summary>
public sealed class ChatStatistics : IDisposable
{
    /// <summary>The library's meter name, as the library publishes it.</summary>
    public const string MeterName = Marketplace.Chat.Diagnostics.ChatDiagnostics.MeterName;

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Instrument, string Tags), long> _totals = new();
    private readonly ConcurrentDictionary<string, string?> _descriptions = new();
    private long _connections;
    private long _connectionsOpened;

    /// <summary>Starts listening to the chat's meter.</summary>
    public ChatStatistics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName)
            {
                _descriptions[instrument.Name] = instrument.Description;
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Gets the number of SignalR connections open on this node.</summary>
    public long ActiveConnections => Interlocked.Read(ref _connections);

    /// <summary>Records that a chat connection opened.</summary>
    public void ConnectionOpened()
    {
        Interlocked.Increment(ref _connections);
        Interlocked.Increment(ref _connectionsOpened);
    }

    /// <summary>Records that a chat connection closed.</summary>
    public void ConnectionClosed() => Interlocked.Decrement(ref _connections);

    /// <summary>Takes a snapshot of every counter, grouped by instrument.</summary>
    public StatisticsSnapshot Snapshot() => new(
        ActiveConnections,
        Interlocked.Read(ref _connectionsOpened),
        _totals
            .GroupBy(t => t.Key.Instrument)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new InstrumentTotals(
                g.Key,
                _descriptions.GetValueOrDefault(g.Key),
                g.Sum(t => t.Value),
                g.OrderByDescending(t => t.Value).Select(t => new TagTotal(t.Key.Tags, t.Value)).ToList()))
            .ToList());

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var label = tags.Length == 0 ? "" : string.Join(", ", tags.ToArray().Select(t => t.Value?.ToString()));
        _totals.AddOrUpdate((instrument.Name, label), value, (_, total) => total + value);
    }

    /// <summary>The chat's counters at one moment.</summary>
    public sealed record StatisticsSnapshot(long ActiveConnections, long ConnectionsOpened, IReadOnlyList<InstrumentTotals> Instruments);

    /// <summary>One instrument's total and its breakdown by tag values.</summary>
    public sealed record InstrumentTotals(string Name, string? Description, long Total, IReadOnlyList<TagTotal> ByTag);

    /// <summary>The total for one combination of tag values.</summary>
    public sealed record TagTotal(string Tags, long Value);
}

/// <summary>Counts open hub connections (every hub, including the chat's) for the stats page, without touching the library.</summary>
public sealed class ConnectionCountingFilter(ChatStatistics statistics) : IHubFilter
{
    /// <inheritdoc />
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        await next(context);
        statistics.ConnectionOpened();
    }

    /// <inheritdoc />
    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        try
        {
            await next(context, exception);
        }
        finally
        {
            statistics.ConnectionClosed();
        }
    }
}
