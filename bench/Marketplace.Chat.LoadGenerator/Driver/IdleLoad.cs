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
    public static async Task<IdleResult> RunAsync(string mode, int connections, BenchPostgres postgres, int poolSize, Action<string> log)
    {
        var conversations = (connections + 1) / 2;
        var serveArgs = new List<string> { "--mode", mode };
        if (mode == ServerMode.Chat)
        {
            serveArgs.AddRange(["--connection", await postgres.CreateDatabaseAsync($"idle_{connections}", poolSize)]);
        }

        log($"idle {mode}: {connections} connections ({conversations} conversations)");
        await using var server = await ServerProcess.StartAsync(serveArgs);
        await server.SetupAsync(0, conversations);
        var loadStart = Machine.LoadAverage();
        var before = await server.StatsAsync(collect: true);
        var started = Stopwatch.GetTimestamp();
        var clients = new List<BenchClient>();
        string? failure = null;
        try
        {
            // In batches, so a failure (file limit, ports) stops the ramp with what it reached.
            for (var first = 0; first < conversations; first += 250)
            {
                clients.AddRange(await ChatClients.ConnectAsync(server.BaseUrl, first, Math.Min(250, conversations - first), tracker: null, parallel: 32));
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
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            await server.StatsAsync(collect: true);
            var after = await server.StatsAsync(collect: true);
            var openFiles = CountOpenFiles(server.Pid);
            var n = Math.Max(1, clients.Count);
            return new IdleResult(
                mode, connections, clients.Count, failure, connectSeconds, before.RssBytes, after.RssBytes, before.GcHeapBytes, after.GcHeapBytes,
                (after.RssBytes - before.RssBytes) / (double)n, (after.GcHeapBytes - before.GcHeapBytes) / (double)n, openFiles,
                loadStart, Machine.LoadAverage());
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
