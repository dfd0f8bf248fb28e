using System.Diagnostics;

namespace Marketplace.Chat.LoadGenerator.Driver;

/// <summary>Server memory per idle connection: connect and join N clients, let them rest, compare full-GC readings.</summary>
internal sealed record IdleResult(
    string Mode,
    int Connections,
    int Connected,
    string? Failure,
    double ConnectSeconds,
    long RssBefore,
    long RssAfter,
    long HeapBefore,
    long HeapAfter,
    double RssPerConnection,
    double HeapPerConnection,
    int ServerOpenFiles,
    string LoadAverageStart,
    string LoadAverageEnd);

internal static class IdleLoad
{
    /// <summary>
    /// One server; its conversations set up once for the largest level; clients added level by level (e.g. 5,000 then 10,000),
    /// with the server's memory read after a full GC at each level. A failure (file limit, ports) ends the ramp with what it reached.
    /// </summary>
    public static async Task<List<IdleResult>> RunAsync(string mode, IReadOnlyList<int> levels, BenchPostgres postgres, int poolSize, Action<string> log)
    {
        var results = new List<IdleResult>();
        if (levels.Count == 0)
        {
            return results;
        }

        var ordered = levels.Order().ToList();
        var conversations = (ordered[^1] + 1) / 2;
        var serveArgs = new List<string> { "--mode", mode };
        if (mode == ServerMode.Chat)
        {
            serveArgs.AddRange(["--connection", await postgres.CreateDatabaseAsync($"idle_{ordered[^1]}", poolSize)]);
        }

        log($"idle {mode}: up to {ordered[^1]} connections ({conversations} conversations)");
        await using var server = await ServerProcess.StartAsync(serveArgs);
        var setupStarted = Stopwatch.GetTimestamp();
        await server.SetupAsync(0, conversations);
        log($"  setup {Stopwatch.GetElapsedTime(setupStarted).TotalSeconds:0.0} s");
        var loadStart = Machine.LoadAverage();
        var before = await server.StatsAsync(collect: true);
        var clients = new List<BenchClient>();
        string? failure = null;
        try
        {
            foreach (var level in ordered)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    // In batches of 250 conversations (500 clients).
                    while (failure is null && clients.Count < level)
                    {
                        var first = clients.Count / 2;
                        var count = Math.Min(250, ((level + 1) / 2) - first);
                        clients.AddRange(await ChatClients.ConnectAsync(server.BaseUrl, first, count, tracker: null, parallel: 32));
                    }
                }
#pragma warning disable CA1031 // The limit reached is a result, not a crash.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    failure = ex.GetType().Name + ": " + ex.Message;
                    log("  stopped: " + failure);
                }

                var connectSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                await Task.Delay(TimeSpan.FromSeconds(5));
                await server.StatsAsync(collect: true);
                var after = await server.StatsAsync(collect: true);
                var n = Math.Max(1, clients.Count);
                results.Add(new IdleResult(
                    mode, level, clients.Count, failure, connectSeconds, before.RssBytes, after.RssBytes, before.GcHeapBytes, after.GcHeapBytes,
                    (after.RssBytes - before.RssBytes) / (double)n, (after.GcHeapBytes - before.GcHeapBytes) / (double)n, CountOpenFiles(server.Pid),
                    loadStart, Machine.LoadAverage()));
                log($"  {clients.Count} connected: {Report.Bytes(results[^1].RssPerConnection)} RSS and {Report.Bytes(results[^1].HeapPerConnection)} heap per connection");
                if (failure is not null)
                {
                    break;
                }
            }

            return results;
        }
        finally
        {
            await ChatClients.DisposeAsync(clients);
        }
    }

    private static int CountOpenFiles(int pid)
    {
        try
        {
            return Directory.GetFiles($"/proc/{pid}/fd").Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
