namespace Marketplace.Chat.LoadGenerator;

/// <summary>What the server under test runs: the package, or the bare relay hub (the SignalR ceiling).</summary>
internal static class ServerMode
{
    public const string Chat = "chat";
    public const string Bare = "bare";
}

/// <summary>The names both sides derive from a conversation number, so the server needs no table of them.</summary>
internal static class BenchNames
{
    public const string HubPath = "/chat/transactions";

    public static string Transaction(int i) => "tx" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Buyer(int i) => "b" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Seller(int i) => "s" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The parties of <c>tx{i}</c>: <c>b{i}</c> and <c>s{i}</c>; null for any other id.</summary>
    public static Conversations.TransactionParties? Parties(string transactionId) =>
        transactionId.StartsWith("tx", StringComparison.Ordinal)
        && int.TryParse(transactionId.AsSpan(2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i)
            ? new Conversations.TransactionParties(Buyer(i), Seller(i))
            : null;
}

/// <summary>The server process's own figures, read by the driver before and after a measured window.</summary>
/// <param name="CpuSeconds">Process.TotalProcessorTime (user + system, all threads).</param>
/// <param name="RssBytes">Resident set size (Process.WorkingSet64 = VmRSS on Linux).</param>
/// <param name="GcHeapBytes">GC.GetTotalMemory(false): live + not yet collected managed objects.</param>
/// <param name="GcCommittedBytes">Memory the GC has committed (GCMemoryInfo.TotalCommittedBytes).</param>
/// <param name="AllocatedBytes">GC.GetTotalAllocatedBytes(precise: true): every managed byte ever allocated.</param>
/// <param name="Gen0">Gen-0 collections so far.</param>
/// <param name="Gen1">Gen-1 collections so far.</param>
/// <param name="Gen2">Gen-2 collections so far.</param>
/// <param name="ThreadCount">Thread-pool threads.</param>
/// <param name="PendingWorkItems">Thread-pool queue length.</param>
/// <param name="LockContentions">Monitor lock contentions so far.</param>
/// <param name="GcPauseTotalMs">Total GC pause time so far.</param>
/// <param name="ServerGc">Whether the server runs Server GC.</param>
internal sealed record ServerStats(
    double CpuSeconds,
    long RssBytes,
    long GcHeapBytes,
    long GcCommittedBytes,
    long AllocatedBytes,
    int Gen0,
    int Gen1,
    int Gen2,
    int ThreadCount,
    long PendingWorkItems,
    long LockContentions,
    double GcPauseTotalMs,
    bool ServerGc);

/// <summary>One kind of database command seen by the server's EF Core interceptor.</summary>
internal sealed record DbCommandStat(string Command, long Count, double TotalMs, double MeanMs);

/// <summary>The minimum a client needs from the Join reply.</summary>
internal sealed record JoinReply(Guid ConversationId);

/// <summary>The minimum a client needs from a MessageReceived event (the payload is the package's ChatMessage).</summary>
internal sealed record WireMessage(Guid Id, Guid ConversationId, long Sequence, string? SenderId);
