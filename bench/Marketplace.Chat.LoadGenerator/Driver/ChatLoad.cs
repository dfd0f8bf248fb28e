using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Marketplace.Chat.LoadGenerator.Driver;

/// <summary>What one chat or bare-hub run does.</summary>
internal sealed record ChatRunSpec
{
    public required string Mode { get; init; }

    public required int Conversations { get; init; }

    /// <summary>Open loop when set: messages per second per conversation (buyer and seller alternate); closed loop when null.</summary>
    public double? RatePerConversation { get; init; }

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait after the last send for outstanding acknowledgements and deliveries.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Raise the chat's per-user rate limit so it never refuses (throughput runs); false keeps the package's defaults.</summary>
    public bool RaiseRateLimit { get; init; } = true;

    public bool ProfileDb { get; init; }

    public bool PooledDbContext { get; init; }

    /// <summary>Diagnostic: the server drops the package's live notification push handler.</summary>
    public bool WithoutLivePush { get; init; }

    /// <summary>Npgsql's Maximum Pool Size for the server.</summary>
    public int PoolSize { get; init; } = 200;

    /// <summary>Open loop: stop offering new messages when this many are unacknowledged (the server has fallen far behind).</summary>
    public int MaxOutstanding { get; init; } = 4000;

    /// <summary>Chat nodes; above one they share a redis-server (AddRedis) and each conversation's buyer and seller sit on different nodes.</summary>
    public int Nodes { get; init; } = 1;
}

/// <summary>Runs buyer/seller clients against the server under test and accounts for every message.</summary>
internal static partial class ChatLoad
{
    private const string Text = "Hello! Is the blue jacket still available in size M? I can pay today.";

    public static async Task<RunResult> RunAsync(ChatRunSpec spec, BenchPostgres postgres, Action<string> log)
    {
        string? connectionString = null;
        var serveArgs = new List<string> { "--mode", spec.Mode };
        if (spec.Mode == ServerMode.Chat)
        {
            connectionString = await postgres.CreateDatabaseAsync($"chat_c{spec.Conversations}", spec.PoolSize);
            await postgres.WaitForFreeConnectionsAsync(spec.PoolSize + 5, TimeSpan.FromSeconds(60));
            serveArgs.AddRange(["--connection", connectionString]);
            if (spec.RaiseRateLimit)
            {
                serveArgs.AddRange(["--max-sends-per-second", "1000000", "--send-burst", "1000000"]);
            }

            if (spec.ProfileDb)
            {
                serveArgs.Add("--profile-db");
            }

            if (spec.PooledDbContext)
            {
                serveArgs.Add("--dbcontext-pool");
            }

            if (spec.WithoutLivePush)
            {
                serveArgs.Add("--without-live-push");
            }
        }

        var load = spec.RatePerConversation is { } r ? $"open@{r * spec.Conversations:0.#}/s" : "closed";
        await using var redis = spec.Nodes > 1 ? await BenchRedis.StartAsync() : null;
        if (redis is not null)
        {
            load += $", {spec.Nodes} nodes + Redis";
            serveArgs.AddRange(["--redis", redis.ConnectionString]);
        }

        log($"{spec.Mode}: C={spec.Conversations} ({spec.Conversations * 2} clients), {load}, limits {(spec.RaiseRateLimit ? "raised" : "default")}{Variant(spec)}");
        await using var server = await ServerProcess.StartAsync(serveArgs);
        var others = new List<ServerProcess>();
        for (var n = 1; n < spec.Nodes; n++)
        {
            others.Add(await ServerProcess.StartAsync(serveArgs));
        }

        try
        {
            return await MeasureAsync(spec, postgres, log, connectionString, load, server, others, redis);
        }
        finally
        {
            foreach (var other in others)
            {
                await other.DisposeAsync();
            }
        }
    }

    private static async Task<RunResult> MeasureAsync(
        ChatRunSpec spec, BenchPostgres postgres, Action<string> log, string? connectionString, string load, ServerProcess server,
        List<ServerProcess> others, BenchRedis? redis)
    {
        var setupStarted = Stopwatch.GetTimestamp();
        await server.SetupAsync(0, spec.Conversations);
        var setupSeconds = Stopwatch.GetElapsedTime(setupStarted).TotalSeconds;

        var tracker = new MessageTracker();
        var beforeClients = await server.StatsAsync(collect: true);
        var connectStarted = Stopwatch.GetTimestamp();
        var clients = await ChatClients.ConnectAsync([server.BaseUrl, .. others.Select(o => o.BaseUrl)], 0, spec.Conversations, tracker);
        var connectSeconds = Stopwatch.GetElapsedTime(connectStarted).TotalSeconds;
        await Task.Delay(500);
        var withClients = await server.StatsAsync(collect: true);
        log($"  setup {setupSeconds:0.0} s, connect+join {connectSeconds:0.0} s");

        try
        {
            var loadStart = Machine.LoadAverage();
            var t0 = Stopwatch.GetTimestamp();
            var windowStart = t0 + (long)(spec.Warmup.TotalSeconds * Stopwatch.Frequency);
            var windowEnd = windowStart + (long)(spec.Duration.TotalSeconds * Stopwatch.Frequency);
            var window = WindowProbe.Start(server, postgres, windowStart, windowEnd, spec.ProfileDb);
            var cluster = WindowProbe.OthersAsync(others, redis, windowStart, windowEnd);

            if (spec.RatePerConversation is { } rate)
            {
                await OpenLoopAsync(clients, tracker, rate * spec.Conversations, t0, windowStart, windowEnd, spec.MaxOutstanding);
            }
            else
            {
                await Task.WhenAll(clients.Select(c => ClosedLoopAsync(c, tracker, windowStart, windowEnd)));
            }

            var (s0, s1, pg0, pg1, own0, own1, profile) = await window;
            var (othersCpu, othersAllocated, redisCpu) = await cluster;

            // Several nodes: the server figures are the sum over nodes (CPU and allocations); Redis's CPU is its own column.
            s1 = s1 with { CpuSeconds = s1.CpuSeconds + othersCpu, AllocatedBytes = s1.AllocatedBytes + othersAllocated };
            await DrainAsync(tracker, spec.Drain);
            var atRest = await server.StatsAsync(collect: true);
            var loadEnd = Machine.LoadAverage();

            HashSet<Guid>? stored = null;
            long? gaps = null;
            if (connectionString is not null)
            {
                (stored, gaps) = await StoredAsync(connectionString);
            }

            var result = Account(spec, load, tracker, stored, gaps, windowStart, windowEnd) with
            {
                SetupSeconds = setupSeconds,
                ConnectSeconds = connectSeconds,
                LoadAverageStart = loadStart,
                LoadAverageEnd = loadEnd,
                ServerRssBytes = atRest.RssBytes,
                ServerGcHeapBytes = atRest.GcHeapBytes,
                RssPerClientBytes = (withClients.RssBytes - beforeClients.RssBytes) / (double)clients.Count,
                HeapPerClientBytes = (withClients.GcHeapBytes - beforeClients.GcHeapBytes) / (double)clients.Count,
                DbProfile = profile,
                ServerLogProblems = server.LoggedProblems,
                FirstServerLogProblem = server.FirstLoggedProblem,
                ServerLogProblemKinds = server.LoggedProblemKinds,
            };
            result = WithCosts(result, tracker, windowStart, windowEnd, s0, s1, pg1 - pg0, own1 - own0);
            return redis is null || result.Acked == 0 ? result : result with { Nodes = spec.Nodes, RedisCpuSeconds = redisCpu };
        }
        finally
        {
            tracker.Finished = true;
            await ChatClients.DisposeAsync(clients);
        }
    }

    internal static string Variant(ChatRunSpec spec) =>
        (spec.PooledDbContext ? ", AddDbContextPool" : "") + (spec.WithoutLivePush ? ", without live push" : "") + (spec.ProfileDb ? ", DB profiler" : "");

    private static async Task ClosedLoopAsync(BenchClient client, MessageTracker tracker, long windowStart, long windowEnd)
    {
        await Task.Yield();
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            if (now >= windowEnd)
            {
                return;
            }

            await SendAsync(client, tracker, now, now >= windowStart);
        }
    }

    /// <summary>
    /// Offers <paramref name="totalRate"/> messages per second on a fixed schedule, round-robin over the clients, whatever
    /// the server's pace; latency counts from the scheduled time, so a slow server cannot hide its queue (no coordinated omission).
    /// </summary>
    private static async Task OpenLoopAsync(
        List<BenchClient> clients, MessageTracker tracker, double totalRate, long t0, long windowStart, long windowEnd, int maxOutstanding)
    {
        var inFlight = new List<Task>();
        long k = 0;
        var interval = Stopwatch.Frequency / totalRate;
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            if (now >= windowEnd)
            {
                break;
            }

            while (t0 + (long)(k * interval) <= now)
            {
                var intended = t0 + (long)(k * interval);
                if (Interlocked.Read(ref tracker.Outstanding) < maxOutstanding)
                {
                    inFlight.Add(SendAsync(clients[(int)(k % clients.Count)], tracker, intended, intended >= windowStart));
                }
                else
                {
                    tracker.Error("NotOffered(client backlog full)");
                }

                k++;
            }

            if (inFlight.Count > 10_000)
            {
                inFlight.RemoveAll(t => t.IsCompleted);
            }

            await Task.Delay(1);
        }

        await Task.WhenAll(inFlight);
    }

    private static async Task SendAsync(BenchClient client, MessageTracker tracker, long intended, bool measured)
    {
        var id = Guid.NewGuid();
        var tracked = tracker.Add(id, client, intended, measured);
        Interlocked.Increment(ref tracker.Outstanding);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            tracked.SentAt = Stopwatch.GetTimestamp();
            await client.Connection.InvokeAsync<WireMessage>("Send", client.ConversationId, id, Text, timeout.Token);
            tracked.AckedAt = Stopwatch.GetTimestamp();
        }
        catch (HubException refused)
        {
            tracked.RefusedAt = Stopwatch.GetTimestamp();
            tracked.Failed = true;
            tracker.Error(CodeOf(refused.Message));
        }
#pragma warning disable CA1031 // Every failure is counted by its type; none may stop the load.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            tracked.Failed = true;
            tracker.Error(ex.GetType().Name);
        }
        finally
        {
            Interlocked.Decrement(ref tracker.Outstanding);
        }
    }

    /// <summary>The stable code of a refusal: "HubException: RateLimited: ..." gives "RateLimited".</summary>
    internal static string CodeOf(string message)
    {
        var match = RefusalCode().Match(message);
        if (match.Success)
        {
            return match.Groups[1].Value;
        }

        // Not a chat refusal (e.g. "An unexpected error occurred invoking 'Send' on the server."): keep its gist.
        var gist = message.Length > 70 ? message[..70] + "…" : message;
        return "HubException(" + gist + ")";
    }

    [GeneratedRegex(@"HubException: (\w+):")]
    private static partial Regex RefusalCode();

    /// <summary>Waits until every send has its answer and every acknowledged message reached the other party, or the drain time ends.</summary>
    private static async Task DrainAsync(MessageTracker tracker, TimeSpan drain)
    {
        var until = Stopwatch.GetTimestamp() + (long)(drain.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            if (Interlocked.Read(ref tracker.Outstanding) == 0
                && tracker.All.All(p => p.Value.AckedAt == 0 || Interlocked.Read(ref p.Value.DeliveredAt) != 0))
            {
                return;
            }

            await Task.Delay(100);
        }
    }

    internal static async Task<(HashSet<Guid> Ids, long Gaps)> StoredAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        var ids = new HashSet<Guid>();
        await using (var command = new NpgsqlCommand("SELECT \"Id\" FROM chat.chat_entries WHERE \"Kind\" = 'Text'", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetGuid(0));
            }
        }

        await using var gaps = new NpgsqlCommand(
            "SELECT count(*) FROM (SELECT \"ConversationId\" FROM chat.chat_entries GROUP BY \"ConversationId\" " +
            "HAVING max(\"Sequence\") <> count(*) OR min(\"Sequence\") <> 1) g", connection);
        return (ids, (long)(await gaps.ExecuteScalarAsync())!);
    }

    private static RunResult Account(
        ChatRunSpec spec, string load, MessageTracker tracker, HashSet<Guid>? stored, long? gaps, long windowStart, long windowEnd)
    {
        long sent = 0, acked = 0, delivered = 0, ackedNotDelivered = 0, ackedNotStored = 0, deliveredNotAcked = 0, storedNotAcked = 0, measuredDone = 0;
        var latencies = new List<long>();
        var ackLatencies = new List<long>();
        foreach (var (id, t) in tracker.All)
        {
            sent++;
            var isAcked = t.AckedAt != 0;
            var isDelivered = t.DeliveredAt != 0;
            var isStored = stored?.Contains(id);
            acked += isAcked ? 1 : 0;
            delivered += isDelivered ? 1 : 0;
            ackedNotDelivered += isAcked && !isDelivered ? 1 : 0;
            deliveredNotAcked += isDelivered && !isAcked ? 1 : 0;
            ackedNotStored += isAcked && isStored == false ? 1 : 0;
            storedNotAcked += !isAcked && isStored == true ? 1 : 0;
            if (t.Measured && isAcked && isDelivered)
            {
                measuredDone++;
                latencies.Add(t.DeliveredAt - t.Intended);
                ackLatencies.Add(t.AckedAt - t.Intended);
            }
        }

        var unknownStored = stored is null ? 0 : stored.Count(id => !tracker.Contains(id));
        var result = new RunResult
        {
            Mode = spec.Mode,
            Conversations = spec.Conversations,
            Connections = spec.Conversations * 2,
            Load = load,
            Limits = (spec.Mode == ServerMode.Bare ? "n/a" : spec.RaiseRateLimit ? "raised" : "default (5/s, burst 20)") + Variant(spec),
            WindowSeconds = (windowEnd - windowStart) / (double)Stopwatch.Frequency,
            Sent = sent,
            Acked = acked,
            Delivered = delivered,
            Stored = stored?.Count,
            AckedNotDelivered = ackedNotDelivered,
            AckedNotStored = ackedNotStored,
            DeliveredNotAcked = deliveredNotAcked,
            StoredNotAcked = storedNotAcked,
            DuplicateDeliveries = tracker.DuplicateDeliveries,
            UnknownDeliveries = tracker.UnknownDeliveries,
            SequenceGaps = gaps,
            Errors = new SortedDictionary<string, long>(tracker.Errors, StringComparer.Ordinal),
            ThroughputPerSecond = measuredDone / spec.Duration.TotalSeconds,
            Latency = LatencySummary.FromTicks(latencies),
            AckLatency = LatencySummary.FromTicks(ackLatencies),
        };
        if (ackedNotDelivered > 0)
        {
            result.Problems.Add($"{ackedNotDelivered} acknowledged messages never reached the other party");
        }

        if (ackedNotStored > 0)
        {
            result.Problems.Add($"{ackedNotStored} acknowledged messages are NOT in the database (lost)");
        }

        if (storedNotAcked > 0)
        {
            result.Problems.Add($"{storedNotAcked} messages are stored although their Send failed (the client was told it failed)");
        }

        if (unknownStored > 0)
        {
            result.Problems.Add($"{unknownStored} stored text messages were never sent by the load generator");
        }

        if (tracker.ClosedConnections > 0)
        {
            result.Problems.Add($"{tracker.ClosedConnections} client connections were closed during the run (their live deliveries stop there)");
        }

        if (tracker.DuplicateDeliveries > 0 || tracker.UnknownDeliveries > 0)
        {
            result.Problems.Add($"{tracker.DuplicateDeliveries} duplicate and {tracker.UnknownDeliveries} unknown deliveries");
        }

        if (gaps > 0)
        {
            result.Problems.Add($"{gaps} conversations have a gap in their sequence");
        }

        return result;
    }

    private static RunResult WithCosts(
        RunResult result, MessageTracker tracker, long windowStart, long windowEnd, ServerStats s0, ServerStats s1, double pgCpu, double ownCpu)
    {
        // Costs are per message acknowledged inside the window (when the CPU was spent).
        var ackedInWindow = tracker.All.LongCount(p => p.Value.AckedAt >= windowStart && p.Value.AckedAt < windowEnd);
        var refusedInWindow = tracker.All.LongCount(p => p.Value.RefusedAt >= windowStart && p.Value.RefusedAt < windowEnd);
        var cpuMs = (s1.CpuSeconds - s0.CpuSeconds) * 1000;
        result = result with
        {
            // Every answered call, accepted or refused (RateLimited...): with the default limits most calls are refusals,
            // so this is what a refusal costs the server.
            CallsInWindow = ackedInWindow + refusedInWindow,
            RefusedInWindow = refusedInWindow,
            ServerCpuMsPerCall = ackedInWindow + refusedInWindow == 0 ? null : cpuMs / (ackedInWindow + refusedInWindow),
        };
        if (ackedInWindow == 0)
        {
            return result;
        }

        return result with
        {
            ServerCpuMsPerMessage = (s1.CpuSeconds - s0.CpuSeconds) * 1000 / ackedInWindow,
            PostgresCpuMsPerMessage = pgCpu * 1000 / ackedInWindow,
            DriverCpuMsPerMessage = ownCpu * 1000 / ackedInWindow,
            ServerAllocBytesPerMessage = (s1.AllocatedBytes - s0.AllocatedBytes) / (double)ackedInWindow,
            Gen2InWindow = s1.Gen2 - s0.Gen2,
            GcPauseMsInWindow = s1.GcPauseTotalMs - s0.GcPauseTotalMs,
        };
    }
}

/// <summary>Reads the server's, PostgreSQL's and the driver's counters at the start and the end of the measured window.</summary>
internal static class WindowProbe
{
    public static async Task<(ServerStats S0, ServerStats S1, double Pg0, double Pg1, double Own0, double Own1, IReadOnlyList<DbCommandStat>? Profile)> Start(
        ServerProcess server, BenchPostgres postgres, long windowStart, long windowEnd, bool profile)
    {
        await DelayUntil(windowStart);
        if (profile)
        {
            await server.ResetDbProfileAsync();
        }

        var s0 = await server.StatsAsync();
        var pg0 = Machine.ProcessTreeCpuSeconds(postgres.PostmasterPid);
        var own0 = Machine.OwnCpuSeconds();
        await DelayUntil(windowEnd);
        var s1 = await server.StatsAsync();
        var pg1 = Machine.ProcessTreeCpuSeconds(postgres.PostmasterPid);
        var own1 = Machine.OwnCpuSeconds();
        var dbProfile = profile ? await server.DbProfileAsync() : null;
        return (s0, s1, pg0, pg1, own0, own1, dbProfile);
    }

    /// <summary>The CPU seconds and allocated bytes of the other nodes, and Redis's CPU seconds, over the measured window.</summary>
    public static async Task<(double Cpu, long Allocated, double RedisCpu)> OthersAsync(
        IReadOnlyList<ServerProcess> others, BenchRedis? redis, long windowStart, long windowEnd)
    {
        if (others.Count == 0 && redis is null)
        {
            return (0, 0, 0);
        }

        await DelayUntil(windowStart);
        var before = await Task.WhenAll(others.Select(o => o.StatsAsync()));
        var redis0 = redis is null ? 0 : Machine.ProcessTreeCpuSeconds(redis.Pid);
        await DelayUntil(windowEnd);
        var after = await Task.WhenAll(others.Select(o => o.StatsAsync()));
        var redis1 = redis is null ? 0 : Machine.ProcessTreeCpuSeconds(redis.Pid);
        return (
            after.Zip(before).Sum(p => p.First.CpuSeconds - p.Second.CpuSeconds),
            after.Zip(before).Sum(p => p.First.AllocatedBytes - p.Second.AllocatedBytes),
            redis1 - redis0);
    }

    private static async Task DelayUntil(long timestamp)
    {
        var wait = (timestamp - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency;
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(wait));
        }
    }
}
