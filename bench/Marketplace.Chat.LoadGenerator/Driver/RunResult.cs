namespace Marketplace.Chat.LoadGenerator.Driver;

/// <summary>Everything one measured run found. Counts cover the whole run (warm-up included); rates and latencies the measured window.</summary>
internal sealed record RunResult
{
    public required string Mode { get; init; }

    public required int Conversations { get; init; }

    /// <summary>WebSocket clients (chat, bare) or database connections (raw).</summary>
    public required int Connections { get; init; }

    /// <summary>"closed" or "open@R/s" (R = offered messages per second, all clients together).</summary>
    public required string Load { get; init; }

    public required string Limits { get; init; }

    /// <summary>Chat nodes (above one: behind one redis-server).</summary>
    public int Nodes { get; init; } = 1;

    /// <summary>With several nodes: the redis-server's CPU seconds over the measured window.</summary>
    public double? RedisCpuSeconds { get; init; }

    public double WindowSeconds { get; init; }

    public long Sent { get; init; }

    public long Acked { get; init; }

    public long Delivered { get; init; }

    /// <summary>Rows in the database after the run (chat: user text messages; raw: inserted rows); null for bare.</summary>
    public long? Stored { get; init; }

    public long AckedNotDelivered { get; init; }

    public long AckedNotStored { get; init; }

    public long DeliveredNotAcked { get; init; }

    public long StoredNotAcked { get; init; }

    public long DuplicateDeliveries { get; init; }

    public long UnknownDeliveries { get; init; }

    /// <summary>Conversations whose stored sequence has a gap (max sequence ≠ row count).</summary>
    public long? SequenceGaps { get; init; }

    public IReadOnlyDictionary<string, long> Errors { get; init; } = new Dictionary<string, long>();

    /// <summary>Messages sent in the window that were acknowledged and delivered (raw: rows inserted), per second.</summary>
    public double ThroughputPerSecond { get; init; }

    /// <summary>Send (or, open loop, its scheduled time) → the other party's MessageReceived. Raw: one INSERT's commit.</summary>
    public LatencySummary Latency { get; init; } = LatencySummary.Empty;

    /// <summary>Send → its acknowledgement (the Send call returning).</summary>
    public LatencySummary AckLatency { get; init; } = LatencySummary.Empty;

    public double? ServerCpuMsPerMessage { get; init; }

    /// <summary>Gets the calls answered inside the window: acknowledged sends plus refused ones.</summary>
    public long? CallsInWindow { get; init; }

    /// <summary>Gets the sends refused (a <c>HubException</c> with a code) inside the window.</summary>
    public long? RefusedInWindow { get; init; }

    /// <summary>Gets the server's CPU per answered call, accepted or refused.</summary>
    public double? ServerCpuMsPerCall { get; init; }

    public double? PostgresCpuMsPerMessage { get; init; }

    public double? DriverCpuMsPerMessage { get; init; }

    public double? ServerAllocBytesPerMessage { get; init; }

    public int? Gen2InWindow { get; init; }

    public double? GcPauseMsInWindow { get; init; }

    public long? ServerRssBytes { get; init; }

    public long? ServerGcHeapBytes { get; init; }

    /// <summary>Server RSS growth from no clients to all clients connected and joined (before any message), per client.</summary>
    public double? RssPerClientBytes { get; init; }

    /// <summary>Server managed-heap growth (after a full GC) over the same step, per client.</summary>
    public double? HeapPerClientBytes { get; init; }

    public double? SetupSeconds { get; init; }

    public double? ConnectSeconds { get; init; }

    public string LoadAverageStart { get; init; } = "";

    public string LoadAverageEnd { get; init; } = "";

    public IReadOnlyList<DbCommandStat>? DbProfile { get; init; }

    public List<string> Problems { get; init; } = [];

    /// <summary>Warning/error lines the server process logged during the run, and the first of them.</summary>
    public int ServerLogProblems { get; init; }

    public string? FirstServerLogProblem { get; init; }

    public IReadOnlyList<string> ServerLogProblemKinds { get; init; } = [];

    /// <summary>Whether every acknowledged message was delivered and (chat) stored, and nothing was stored that was not acknowledged.</summary>
    public bool CountsAgree => AckedNotDelivered == 0 && AckedNotStored == 0 && DuplicateDeliveries == 0 && UnknownDeliveries == 0
        && (SequenceGaps ?? 0) == 0;
}
