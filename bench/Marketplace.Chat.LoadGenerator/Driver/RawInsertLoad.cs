using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Marketplace.Chat.LoadGenerator.Driver;

/// <summary>
/// The persistence ceiling: single-row INSERTs, each its own committed transaction (autocommit, same durability), into a
/// table shaped like the chat's message row, from N connections in closed loop. Npgsql directly, prepared statements.
/// </summary>
internal static class RawInsertLoad
{
    private const string Text = "Hello! Is the blue jacket still available in size M? I can pay today.";

    private const string Schema = """
        CREATE TABLE messages (
            id uuid PRIMARY KEY,
            conversation_id uuid NOT NULL,
            sequence bigint NOT NULL,
            kind varchar(20) NOT NULL,
            sender_id varchar(200),
            sender_role varchar(20),
            text text NOT NULL,
            system_code varchar(60),
            sent_at timestamptz NOT NULL,
            edited_at timestamptz,
            deleted_at timestamptz,
            attachment_id uuid,
            attachment_sha256 varchar(64),
            hash varchar(64) NOT NULL
        );
        CREATE UNIQUE INDEX ix_messages_conversation_sequence ON messages (conversation_id, sequence);
        CREATE UNIQUE INDEX ix_messages_attachment ON messages (attachment_id);
        """;

    public static async Task<RunResult> RunAsync(
        BenchPostgres postgres, int conversations, int connections, TimeSpan warmup, TimeSpan duration, Action<string> log)
    {
        log($"raw: {connections} connections (for C={conversations}), closed loop");
        // Unpooled: each worker holds one connection for the whole run, and none may linger (idle in a pool) into the next run.
        var connectionString = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync($"raw_c{conversations}", connections + 5))
        {
            Pooling = false,
        }.ConnectionString;
        await using (var setup = new NpgsqlConnection(connectionString))
        {
            await setup.OpenAsync();
            await new NpgsqlCommand(Schema, setup).ExecuteNonQueryAsync();
        }

        await postgres.WaitForFreeConnectionsAsync(connections + 5, TimeSpan.FromSeconds(60));
        var workers = new List<Worker>();
        for (var i = 0; i < connections; i++)
        {
            workers.Add(new Worker());
        }

        var loadStart = Machine.LoadAverage();
        var t0 = Stopwatch.GetTimestamp();
        var windowStart = t0 + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var windowEnd = windowStart + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var probe = ProbeAsync(postgres, windowStart, windowEnd);
        await Task.WhenAll(workers.Select(w => w.RunAsync(connectionString, windowStart, windowEnd)));
        var (pgCpu, ownCpu) = await probe;
        var loadEnd = Machine.LoadAverage();

        long stored;
        await using (var count = new NpgsqlConnection(connectionString))
        {
            await count.OpenAsync();
            stored = (long)(await new NpgsqlCommand("SELECT count(*) FROM messages", count).ExecuteScalarAsync())!;
        }

        var sent = workers.Sum(w => w.Sent);
        var acked = workers.Sum(w => w.Acked);
        var inWindow = workers.Sum(w => w.AckedInWindow);
        var latencies = workers.SelectMany(w => w.Latencies).ToList();
        var errors = workers.SelectMany(w => w.Errors).GroupBy(e => e).ToDictionary(g => g.Key, g => (long)g.Count());
        var result = new RunResult
        {
            Mode = "raw",
            Conversations = conversations,
            Connections = connections,
            Load = "closed",
            Limits = "n/a",
            WindowSeconds = duration.TotalSeconds,
            Sent = sent,
            Acked = acked,
            Delivered = acked,
            Stored = stored,
            AckedNotStored = Math.Max(0, acked - stored),
            StoredNotAcked = Math.Max(0, stored - acked),
            Errors = errors,
            ThroughputPerSecond = workers.Sum(w => w.MeasuredDone) / duration.TotalSeconds,
            Latency = LatencySummary.FromTicks(latencies),
            AckLatency = LatencySummary.FromTicks([.. latencies]),
            PostgresCpuMsPerMessage = inWindow == 0 ? null : pgCpu * 1000 / inWindow,
            DriverCpuMsPerMessage = inWindow == 0 ? null : ownCpu * 1000 / inWindow,
            LoadAverageStart = loadStart,
            LoadAverageEnd = loadEnd,
        };
        if (stored != acked)
        {
            result.Problems.Add($"raw: {acked} inserts committed but {stored} rows stored");
        }

        return result;
    }

    private static async Task<(double PgCpu, double OwnCpu)> ProbeAsync(BenchPostgres postgres, long windowStart, long windowEnd)
    {
        await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, (windowStart - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency)));
        var pg0 = Machine.ProcessTreeCpuSeconds(postgres.PostmasterPid);
        var own0 = Machine.OwnCpuSeconds();
        await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, (windowEnd - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency)));
        return (Machine.ProcessTreeCpuSeconds(postgres.PostmasterPid) - pg0, Machine.OwnCpuSeconds() - own0);
    }

    private sealed class Worker
    {
        public long Sent;
        public long Acked;
        public long AckedInWindow;
        public long MeasuredDone;
        public List<long> Latencies { get; } = [];
        public List<string> Errors { get; } = [];

        public async Task RunAsync(string connectionString, long windowStart, long windowEnd)
        {
            await Task.Yield();
            await using var connection = new NpgsqlConnection(connectionString);
            try
            {
                await connection.OpenAsync();
            }
            catch (NpgsqlException ex)
            {
                Errors.Add("Open: " + ex.Message);
                return;
            }

            await using var insert = new NpgsqlCommand(
                "INSERT INTO messages (id, conversation_id, sequence, kind, sender_id, sender_role, text, sent_at, hash) " +
                "VALUES ($1, $2, $3, 'Text', $4, 'Buyer', $5, $6, $7)", connection);
            var id = new NpgsqlParameter<Guid> { NpgsqlDbType = NpgsqlDbType.Uuid };
            var sequence = new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint };
            var sentAt = new NpgsqlParameter<DateTimeOffset> { NpgsqlDbType = NpgsqlDbType.TimestampTz };
            var hash = new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Varchar };
            insert.Parameters.Add(id);
            insert.Parameters.Add(new NpgsqlParameter<Guid> { NpgsqlDbType = NpgsqlDbType.Uuid, TypedValue = Guid.NewGuid() });
            insert.Parameters.Add(sequence);
            insert.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Varchar, TypedValue = "b" + Guid.NewGuid().ToString("N")[..6] });
            insert.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = Text });
            insert.Parameters.Add(sentAt);
            insert.Parameters.Add(hash);
            await insert.PrepareAsync();
            long next = 0;
            while (true)
            {
                var started = Stopwatch.GetTimestamp();
                if (started >= windowEnd)
                {
                    return;
                }

                id.TypedValue = Guid.NewGuid();
                sequence.TypedValue = ++next;
                sentAt.TypedValue = DateTimeOffset.UtcNow;
                hash.TypedValue = Convert.ToHexStringLower(BitConverter.GetBytes(started)).PadRight(64, '0');
                Sent++;
                try
                {
                    await insert.ExecuteNonQueryAsync();
                }
                catch (NpgsqlException ex)
                {
                    Errors.Add(ex.GetType().Name);
                    continue;
                }

                var done = Stopwatch.GetTimestamp();
                Acked++;
                if (done >= windowStart && done < windowEnd)
                {
                    AckedInWindow++;
                }

                if (started >= windowStart)
                {
                    MeasuredDone++;
                    Latencies.Add(done - started);
                }
            }
        }
    }
}
