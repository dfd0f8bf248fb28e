using System.Diagnostics;
using System.Runtime;
using Marketplace.Chat.Lifecycle;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Marketplace.Chat.LoadGenerator.Server;

/// <summary>
/// The server under test, run as its own process (<c>serve</c>) so its CPU, memory and allocations are its own:
/// Kestrel on 127.0.0.1 with either the package (mode <c>chat</c>) or the bare relay hub (mode <c>bare</c>),
/// plus a few <c>/bench/*</c> endpoints the driver uses to set up conversations and read the process's figures.
/// </summary>
internal static class BenchServer
{
    public const string ReadyMarker = "BENCH-SERVER-LISTENING ";

    public static async Task<int> RunAsync(CommandLine args)
    {
        var mode = args.String("mode", ServerMode.Chat);
        var connectionString = args.String("connection");
        // For experiments with Npgsql settings (MPCHAT_BENCH_CONNECTION_EXTRA="Max Auto Prepare=64"); unset changes nothing.
        if (Environment.GetEnvironmentVariable("MPCHAT_BENCH_CONNECTION_EXTRA") is { Length: > 0 } extra && !string.IsNullOrEmpty(connectionString))
        {
            connectionString += ";" + extra;
        }
        var parentPid = args.Int("parent-pid", 0);
        var profileDb = args.Flag("profile-db");
        var pooledContext = args.Flag("dbcontext-pool");
        var maxSends = args.String("max-sends-per-second");
        var burst = args.String("send-burst");
        var withoutLivePush = args.Flag("without-live-push");
        var redis = args.String("redis");
        var redisHeartbeatMs = args.Int("redis-heartbeat-ms", 0);

        // Content root = the app's folder, configuration not watched: a host's defaults would otherwise watch the current
        // directory recursively (inotify), which costs CPU when that directory is busy (e.g. /tmp during other builds).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter((_, level) => level >= LogLevel.Warning);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddAuthentication(BenchBearer.SchemeName).AddScheme<AuthenticationSchemeOptions, BenchBearer>(BenchBearer.SchemeName, null);
        builder.Services.AddAuthorization();
        var profiler = new DbProfiler();
        builder.Services.AddSingleton(profiler);

        if (mode == ServerMode.Chat)
        {
            if (string.IsNullOrEmpty(connectionString))
            {
                throw new ArgumentException("serve --mode chat needs --connection.");
            }

            void Configure(DbContextOptionsBuilder o)
            {
                o.UseNpgsql(connectionString);
                if (profileDb)
                {
                    o.AddInterceptors(profiler);

                    // Query compilations show up as their own rows: a steady stream of them means a query misses EF's cache.
                    o.LogTo(profiler.QueryCompiled, [CoreEventId.QueryCompilationStarting], LogLevel.Debug, DbContextLoggerOptions.None);
                }
            }

            if (pooledContext)
            {
                builder.Services.AddDbContextPool<BenchDbContext>(Configure);
            }
            else
            {
                builder.Services.AddDbContext<BenchDbContext>(Configure);
            }

            var chatBuilder = builder.Services.AddMarketplaceChat(o =>
                {
                    // For experiments with the group commit's parallelism (MPCHAT_BENCH_WRITERS=1, 2, ...); unset keeps the default.
                    if (Environment.GetEnvironmentVariable("MPCHAT_BENCH_WRITERS") is { Length: > 0 } writers)
                    {
                        o.GroupCommitWriters = int.Parse(writers, System.Globalization.CultureInfo.InvariantCulture);
                    }

                    if (maxSends is not null)
                    {
                        o.MaxSendsPerSecond = double.Parse(maxSends, System.Globalization.CultureInfo.InvariantCulture);
                    }

                    if (burst is not null)
                    {
                        o.SendBurst = int.Parse(burst, System.Globalization.CultureInfo.InvariantCulture);
                    }
                })
                .AddEntityFrameworkStores<BenchDbContext>()
                .AddTransactionPartyResolver<BenchParties>()
                // The same key on every node of a run (--nodes 2), as a real deployment shares it through its secret store.
                .AddLogKey("bench-log", System.Security.Cryptography.SHA256.HashData("marketplace-chat-bench-log-key"u8));
            if (!string.IsNullOrEmpty(redis))
            {
                // Several nodes behind Redis: the backplane, presence, budgets and connection caps shared (--nodes 2, the kill tests).
                chatBuilder.AddRedis(o =>
                {
                    o.ConnectionString = redis;
                    if (redisHeartbeatMs > 0)
                    {
                        o.HeartbeatInterval = TimeSpan.FromMilliseconds(redisHeartbeatMs);
                        o.EntryLifetime = TimeSpan.FromMilliseconds(redisHeartbeatMs * 3);
                    }
                });
            }

            if (withoutLivePush)
            {
                // Diagnostic variant: drop the built-in live notification push (the stored inbox stays), to measure its share.
                var push = builder.Services.Where(d => d.ServiceType == typeof(Notifications.IChatNotificationHandler)
                    && d.ImplementationType?.Name == "HubNotificationPushHandler").ToList();
                foreach (var descriptor in push)
                {
                    builder.Services.Remove(descriptor);
                }
            }
        }
        else if (mode == ServerMode.Bare)
        {
            builder.Services.AddSignalR();
        }
        else
        {
            throw new ArgumentException($"Unknown mode '{mode}' (chat or bare).");
        }

        await using var app = builder.Build();
        app.UseWebSockets();
        app.UseAuthentication();
        app.UseAuthorization();
        if (mode == ServerMode.Chat)
        {
            app.MapMarketplaceChat("/chat");
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<BenchDbContext>().Database.EnsureCreatedAsync();
        }
        else
        {
            app.MapHub<BareRelayHub>(BenchNames.HubPath);
        }

        app.MapGet("/bench/stats", (bool? gc) => Results.Ok(Capture(gc == true)));
        app.MapPost("/bench/setup", (int from, int count, IServiceProvider services) => SetupAsync(mode, from, count, services));
        app.MapGet("/bench/db-profile", (DbProfiler p) => Results.Ok(p.Snapshot()));
        app.MapPost("/bench/db-profile/reset", (DbProfiler p) =>
        {
            p.Reset();
            return Results.Ok();
        });
        app.MapPost("/bench/shutdown", (IHostApplicationLifetime lifetime) =>
        {
            lifetime.StopApplication();
            return Results.Ok();
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Console.WriteLine(ReadyMarker + address + " pid=" + Environment.ProcessId);
        Console.Out.Flush();

        using var watch = new CancellationTokenSource();
        var watcher = WatchParentAsync(parentPid, app.Lifetime, watch.Token);
        await app.WaitForShutdownAsync();
        await watch.CancelAsync();
        await watcher.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return 0;
    }

    /// <summary>Registers and pays conversations <c>tx{from}</c>..<c>tx{from+count-1}</c>, 32 at a time.</summary>
    private static async Task<IResult> SetupAsync(string mode, int from, int count, IServiceProvider services)
    {
        var started = Stopwatch.GetTimestamp();
        if (mode == ServerMode.Chat)
        {
            await Parallel.ForAsync(from, from + count, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
            {
                await using var scope = services.CreateAsyncScope();
                var chat = scope.ServiceProvider.GetRequiredService<IChatLifecycle>();
                var transaction = BenchNames.Transaction(i);
                await chat.RegisterTransactionAsync(transaction, BenchNames.Parties(transaction), new ChatEventContext("bench"), ct);
                var paid = await chat.ConfirmPaymentAsync(transaction, new ChatEventContext("payments", "pay-" + transaction), ct);
                if (paid.Conversation.State != Conversations.ChatState.Open)
                {
                    throw new InvalidOperationException($"Payment of {transaction} refused: {paid}");
                }
            });
        }

        return Results.Ok(new { seconds = Stopwatch.GetElapsedTime(started).TotalSeconds });
    }

    /// <summary>The process's own figures; with <paramref name="collect"/> a full blocking GC first (memory "at rest").</summary>
    internal static ServerStats Capture(bool collect)
    {
        if (collect)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        using var process = Process.GetCurrentProcess();
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        return new ServerStats(
            process.TotalProcessorTime.TotalSeconds,
            process.WorkingSet64,
            GC.GetTotalMemory(false),
            info.TotalCommittedBytes,
            GC.GetTotalAllocatedBytes(precise: true),
            GC.CollectionCount(0),
            GC.CollectionCount(1),
            GC.CollectionCount(2),
            ThreadPool.ThreadCount,
            ThreadPool.PendingWorkItemCount,
            Monitor.LockContentionCount,
            GC.GetTotalPauseDuration().TotalMilliseconds,
            GCSettings.IsServerGC);
    }

    /// <summary>Stops the server when the driver that started it is gone, so an aborted run leaves nothing behind.</summary>
    private static async Task WatchParentAsync(int parentPid, IHostApplicationLifetime lifetime, CancellationToken ct)
    {
        if (parentPid <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            try
            {
                using var parent = Process.GetProcessById(parentPid);
                if (parent.HasExited)
                {
                    lifetime.StopApplication();
                    return;
                }
            }
            catch (ArgumentException)
            {
                lifetime.StopApplication();
                return;
            }
        }
    }
}
