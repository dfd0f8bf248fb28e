using System.Runtime.InteropServices;
using System.Text;

namespace Marketplace.Chat.LoadGenerator.Driver;

/// <summary>What a <c>run</c> measures: for each C, the modes in order (bare hub, chat, raw inserts), then idle connections.</summary>
internal sealed record SuiteOptions
{
    public IReadOnlyList<string> Modes { get; init; } = [ServerMode.Bare, ServerMode.Chat, "raw"];

    public IReadOnlyList<int> Conversations { get; init; } = [10, 100, 1000];

    /// <summary>Open loop at this many messages per second per conversation; closed loop when null.</summary>
    public double? Rate { get; init; }

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(30);

    public bool RaiseRateLimit { get; init; } = true;

    public bool ProfileDb { get; init; }

    public bool PooledDbContext { get; init; }

    public bool WithoutLivePush { get; init; }

    public bool WorkstationGc { get; init; }

    /// <summary>Npgsql Maximum Pool Size of the chat server, and the cap on raw-insert connections.</summary>
    public int PoolSize { get; init; } = 200;

    public int PostgresMaxConnections { get; init; } = 300;

    public IReadOnlyList<int> IdleConnections { get; init; } = [];

    public string IdleMode { get; init; } = ServerMode.Chat;

    /// <summary>Open loop: messages not offered while this many are unanswered (the server fell far behind); bounds the drain.</summary>
    public int MaxOutstanding { get; init; } = 4000;

    /// <summary>Chat runs with each of these node counts (above one: behind Redis), in the same run.</summary>
    public IReadOnlyList<int> Nodes { get; init; } = [1];
}

internal static class LoadSuite
{
    public static async Task<(List<RunResult> Runs, List<IdleResult> Idle, string Machine)> RunAsync(SuiteOptions options, Action<string> log)
    {
        ServerProcess.WorkstationGc = options.WorkstationGc;
        await using var postgres = await BenchPostgres.StartAsync(options.PostgresMaxConnections);
        var machine = Describe(postgres, options);
        log(machine);
        var runs = new List<RunResult>();
        var idle = new List<IdleResult>();
        foreach (var c in options.Conversations)
        {
            foreach (var (mode, nodes) in options.Modes.Where(m => m != "none")
                         .SelectMany(m => m == ServerMode.Chat ? options.Nodes.Select(n => (m, n)) : [(m, 1)]))
            {
                RunResult result;
                try
                {
                    result = await RunOneAsync(options, postgres, c, mode, nodes, log);
                }
#pragma warning disable CA1031 // A run that breaks is a result too; the others still run.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    log($"  !!! {mode} C={c} failed: {ex}");
                    result = new RunResult
                    {
                        Mode = mode, Conversations = c, Connections = 2 * c, Load = options.Rate is { } r ? $"open@{r * c:0.#}/s" : "closed",
                        Limits = "?", Problems = [$"the run failed: {ex.GetType().Name}: {ex.Message}"],
                    };
                }

                log($"  → {result.ThroughputPerSecond:0} msg/s, p50 {result.Latency.P50Ms:0.0} ms, p99 {result.Latency.P99Ms:0.0} ms, " +
                    $"sent/acked/delivered/stored {result.Sent}/{result.Acked}/{result.Delivered}/{result.Stored?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}, " +
                    $"errors {string.Join(",", result.Errors.Select(e => e.Key + "=" + e.Value))}, load {result.LoadAverageStart} → {result.LoadAverageEnd}");
                foreach (var problem in result.Problems)
                {
                    log("  !!! " + problem);
                }

                runs.Add(result);
            }
        }

        idle.AddRange(await IdleLoad.RunAsync(options.IdleMode, options.IdleConnections, postgres, options.PoolSize, log));

        return (runs, idle, machine);
    }

    private static Task<RunResult> RunOneAsync(SuiteOptions options, BenchPostgres postgres, int c, string mode, int nodes, Action<string> log) =>
        mode == "raw"
            ? RawInsertLoad.RunAsync(postgres, c, Math.Min(2 * c, options.PoolSize), options.Warmup, options.Duration, log)
            : ChatLoad.RunAsync(
                new ChatRunSpec
                {
                    Mode = mode,
                    Conversations = c,
                    RatePerConversation = options.Rate,
                    Warmup = options.Warmup,
                    Duration = options.Duration,
                    Drain = options.Drain,
                    RaiseRateLimit = options.RaiseRateLimit,
                    ProfileDb = options.ProfileDb,
                    PooledDbContext = options.PooledDbContext,
                    WithoutLivePush = options.WithoutLivePush,
                    PoolSize = options.PoolSize,
                    MaxOutstanding = options.MaxOutstanding,
                    Nodes = nodes,
                },
                postgres,
                log);

    private static string Describe(BenchPostgres postgres, SuiteOptions options)
    {
        string Cpu()
        {
            try
            {
                return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
            }
            catch (IOException)
            {
                return "?";
            }
        }

        string Memory()
        {
            try
            {
                var kb = long.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
                return $"{kb / 1024.0 / 1024:0.0} GiB";
            }
            catch (Exception ex) when (ex is IOException or FormatException)
            {
                return "?";
            }
        }

        var sb = new StringBuilder();
        sb.Append($"machine: {Environment.ProcessorCount} cores ({Cpu()}), {Memory()} RAM, {RuntimeInformation.OSDescription}, ");
        sb.Append($".NET {Environment.Version}, PostgreSQL {postgres.Version} ({postgres.Durability}), ");
        sb.Append($"open files limit {Machine.OpenFilesLimit()}, Npgsql pool {options.PoolSize}, server GC {(options.WorkstationGc ? "workstation" : "server (concurrent)")}, load average {Machine.LoadAverage()}");
        return sb.ToString();
    }
}
