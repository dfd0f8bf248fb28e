using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Marketplace.Chat.LoadGenerator.Server;

/// <summary>
/// Counts and times every database round trip the server makes through EF Core (commands by their SQL, and commits),
/// so a run can say how many round trips a send costs and which ones take the time. Host-side only: the package is untouched.
/// </summary>
internal sealed partial class DbProfiler : DbCommandInterceptor, IDbTransactionInterceptor
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    public void Reset() => _counters.Clear();

    public IReadOnlyList<DbCommandStat> Snapshot() =>
        [.. _counters.Select(p => new DbCommandStat(p.Key, p.Value.Count, p.Value.Ticks / (double)TimeSpan.TicksPerMillisecond,
                p.Value.Count == 0 ? 0 : p.Value.Ticks / (double)TimeSpan.TicksPerMillisecond / p.Value.Count))
            .OrderByDescending(s => s.TotalMs)];

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        Record(command.CommandText, eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Record(command.CommandText, eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        Record(command.CommandText, eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Add("COMMIT", eventData.Duration);
        return Task.CompletedTask;
    }

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Add("ROLLBACK", eventData.Duration);
        return Task.CompletedTask;
    }

    /// <summary>Counts an EF Core query compilation (its expression, shortened, is the label).</summary>
    public void QueryCompiled(string message) => Add("EF query compilation: " + Label(message), TimeSpan.Zero);

    private void Record(string sql, TimeSpan duration) => Add(Label(sql), duration);

    private void Add(string label, TimeSpan duration)
    {
        var counter = _counters.GetOrAdd(label, static _ => new Counter());
        Interlocked.Increment(ref counter.Count);
        Interlocked.Add(ref counter.Ticks, duration.Ticks);
    }

    /// <summary>One line per distinct statement: whitespace collapsed, cut at 160 characters.</summary>
    private static string Label(string sql)
    {
        var flat = Spaces().Replace(sql, " ").Trim();
        return flat.Length > 160 ? flat[..160] + "…" : flat;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    private sealed class Counter
    {
        public long Count;
        public long Ticks;
    }
}
