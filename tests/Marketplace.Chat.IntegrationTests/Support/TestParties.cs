using System.Collections.Concurrent;
using Marketplace.Chat.Conversations;

namespace Marketplace.Chat.IntegrationTests.Support;

/// <summary>The host's marketplace, reduced to a table of transactions and their parties.</summary>
public sealed class TestParties : ITransactionPartyResolver
{
    public ConcurrentDictionary<string, TransactionParties> Transactions { get; } = new();

    public ValueTask<TransactionParties?> FindPartiesAsync(string transactionId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Transactions.TryGetValue(transactionId, out var parties) ? parties : null);
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
