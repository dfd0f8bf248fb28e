using System.Text.Json;
using Marketplace.Chat.LoadGenerator.Driver;

namespace Marketplace.Chat.LoadGenerator;

/// <summary>
/// <c>run</c> (the default): measure the bare hub, the chat and raw inserts for each C, then idle connections.
/// <c>serve</c>: the server under test (started by <c>run</c>, one process per measured run).
/// </summary>
public static class LoadGeneratorProgram
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "serve")
        {
            return await Server.BenchServer.RunAsync(new CommandLine(args.Skip(1)));
        }

        var rest = args.Length > 0 && args[0] == "run" ? args.Skip(1) : args;
        var cl = new CommandLine(rest);
        if (cl.Flag("help"))
        {
            Console.WriteLine("""
                Marketplace.Chat load generator: every target is 127.0.0.1; every loop is bounded in time.
                  run [--modes bare,chat,raw] [--conversations 10,100,1000] [--rate R (open loop, msg/s per conversation; default closed loop)]
                      [--warmup 3] [--duration 10] [--drain 30] [--default-limits] [--profile-db] [--dbcontext-pool] [--without-live-push] [--workstation-gc]
                      [--pool 200] [--pg-max-connections 300] [--max-outstanding 4000] [--output results/name]
                      [--idle 5000,10000] [--idle-mode chat|bare]   (--modes none: idle connections only)
                      [--nodes 1,2]   (chat runs on 1 node, then on 2 nodes behind a throwaway redis-server; buyer and seller on different nodes)
                """);
            return 0;
        }

        var options = new SuiteOptions
        {
            Modes = cl.Strings("modes", ServerMode.Bare, ServerMode.Chat, "raw"),
            Conversations = cl.Ints("conversations", 10, 100, 1000),
            Rate = cl.String("rate") is null ? null : cl.Double("rate", 1),
            Warmup = TimeSpan.FromSeconds(cl.Double("warmup", 3)),
            Duration = TimeSpan.FromSeconds(cl.Double("duration", 10)),
            Drain = TimeSpan.FromSeconds(cl.Double("drain", 30)),
            RaiseRateLimit = !cl.Flag("default-limits"),
            ProfileDb = cl.Flag("profile-db"),
            PooledDbContext = cl.Flag("dbcontext-pool"),
            WithoutLivePush = cl.Flag("without-live-push"),
            WorkstationGc = cl.Flag("workstation-gc"),
            PoolSize = cl.Int("pool", 200),
            PostgresMaxConnections = cl.Int("pg-max-connections", 300),
            IdleConnections = cl.Ints("idle"),
            IdleMode = cl.String("idle-mode", ServerMode.Chat),
            MaxOutstanding = cl.Int("max-outstanding", 4000),
            Nodes = cl.Ints("nodes", 1),
        };
        if (options.Conversations.Any(c => c < 1 || c > 20_000) || options.Duration > TimeSpan.FromMinutes(10))
        {
            Console.Error.WriteLine("C must be 1..20000 and --duration at most 600 s.");
            return 2;
        }

        static void Log(string line) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");
        var (runs, idle, machine) = await LoadSuite.RunAsync(options, Log);
        var markdown = Report.Markdown(runs, idle);
        Console.WriteLine();
        Console.WriteLine(machine);
        Console.WriteLine("command: run " + string.Join(' ', rest));
        Console.WriteLine();
        Console.WriteLine(markdown);
        if (cl.String("output") is { } output)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            await File.WriteAllTextAsync(output + ".md", machine + Environment.NewLine + Environment.NewLine + "command: run " + string.Join(' ', rest) + Environment.NewLine + Environment.NewLine + markdown);
            await File.WriteAllTextAsync(output + ".json", JsonSerializer.Serialize(new { machine, command = string.Join(' ', rest), runs, idle }, Indented));
        }

        return runs.All(r => r.CountsAgree) ? 0 : 3;
    }
}
