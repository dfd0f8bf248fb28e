using System.Diagnostics;
using System.Net;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Messages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Marketplace.Chat.IntegrationTests.Hardening;

/// <summary>A cluster of its own, stopped the hard way (<c>pg_ctl -m immediate stop</c>) under a running chat, then restarted.</summary>
public sealed class OutageShould
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Answer_Unavailable_within_a_bound_report_unhealthy_in_time_and_serve_again_after_a_restart()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"mpchat-outage-{Guid.NewGuid():N}");
        // Durable (fsync on): an immediate stop is a crash, and what was acknowledged before it must still be there after.
        var cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions { DataDirectory = dataDirectory, Fsync = true, DeleteOnDispose = true });
        var restarted = false;
        try
        {
            await cluster.CreateDatabaseAsync("outage");
            await using var host = await ChatTestHost.StartAsync(
                cluster.ConnectionString("outage"), chat: b => b.Services.AddHealthChecks().AddMarketplaceChat());
            host.Parties.Transactions["tx-out"] = new TransactionParties("b-out", "s-out");
            await host.Lifecycle(l => l.RegisterTransactionAsync("tx-out"));
            await host.Lifecycle(l => l.ConfirmPaymentAsync("tx-out"));
            await using var buyer = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "b-out"));
            var chat = await buyer.Invoke<ChatSnapshot>("Join", "tx-out");
            await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "before");

            await PgCtlAsync(cluster, "stop", "-m", "immediate");

            var clock = Stopwatch.StartNew();
            Assert.Equal("Unavailable", await buyer.Refusal("Send", chat.ConversationId, Guid.NewGuid(), "during"));
            Assert.Equal("Unavailable", await buyer.Refusal("History", chat.ConversationId, null, 0L, 10));
            Assert.True(clock.Elapsed < Bound, $"refused after {clock.Elapsed}");
            using var http = host.Http("b-out");
            using (var response = await http.GetAsync("/chat/conversations"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Equal("5", response.Headers.GetValues("Retry-After").Single());
            }

            // The chat logs the outage (Warning, no stack trace); nothing of it is an Error line.
            Assert.DoesNotContain(host.Logs.Lines, l => l.StartsWith("Error ", StringComparison.Ordinal) || l.StartsWith("Critical ", StringComparison.Ordinal));
            clock.Restart();
            var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(Bound);
            Assert.Equal(HealthStatus.Unhealthy, report.Status);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"health answered after {clock.Elapsed}");

            await PgCtlAsync(
                cluster, "-l", Path.Combine(dataDirectory, "restart.log"), "-w", "-o",
                $"-p {cluster.Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''", "start");
            restarted = true;

            // The first call after the restart may still meet a connection the pool kept from before: it says Unavailable.
            ChatMessage? after = null;
            var deadline = Stopwatch.StartNew();
            while (after is null && deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                try
                {
                    after = await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "after");
                }
                catch (Microsoft.AspNetCore.SignalR.HubException e)
                {
                    Assert.Equal("Unavailable", ChatClientProbe.CodeOf(e));
                }
            }

            Assert.NotNull(after);
            var history = await buyer.Invoke<ChatHistoryPage>("History", chat.ConversationId, null, 0L, 50);
            Assert.Equal(["before", "after"], history.Messages.Where(m => m.Kind == ChatMessageKind.Text).Select(m => m.Text));
            Assert.Equal(HealthStatus.Healthy, (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status);
        }
        finally
        {
            if (restarted)
            {
                await PgCtlAsync(cluster, "stop", "-m", "immediate");
            }

            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Report_unhealthy_within_its_timeout_while_the_server_is_frozen()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"mpchat-frozen-{Guid.NewGuid():N}");
        var cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions { DataDirectory = dataDirectory, Fsync = false, DeleteOnDispose = true });
        var frozen = Array.Empty<int>();
        try
        {
            await cluster.CreateDatabaseAsync("frozen");
            await using var host = await ChatTestHost.StartAsync(
                cluster.ConnectionString("frozen"), chat: b => b.Services.AddHealthChecks().AddMarketplaceChat());
            var health = host.Services.GetRequiredService<HealthCheckService>();
            Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);

            // SIGSTOP the postmaster and every backend: connections stay open, nothing answers (a hung server or host).
            var postmaster = int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
            frozen = [postmaster, .. File.ReadAllText($"/proc/{postmaster}/task/{postmaster}/children")
                .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture))];
            await SignalAsync("-STOP", frozen);

            var clock = Stopwatch.StartNew();
            var report = await health.CheckHealthAsync().WaitAsync(Bound);

            Assert.Equal(HealthStatus.Unhealthy, report.Status);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"health answered after {clock.Elapsed}");
            Assert.Contains("did not answer within", report.Entries.Single().Value.Description, StringComparison.Ordinal);
        }
        finally
        {
            if (frozen.Length > 0)
            {
                await SignalAsync("-CONT", frozen);
            }

            await cluster.DisposeAsync();
        }
    }

    private static async Task SignalAsync(string signal, int[] pids)
    {
        var start = new ProcessStartInfo("kill") { RedirectStandardError = true };
        start.ArgumentList.Add(signal);
        foreach (var pid in pids)
        {
            start.ArgumentList.Add(pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var process = Process.Start(start)!;
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());
    }

    private static async Task PgCtlAsync(PostgresCluster cluster, params string[] args)
    {
        var pgCtl = Path.Combine(cluster.BinDirectory, "pg_ctl");
        var asRoot = Environment.UserName == "root";
        var start = new ProcessStartInfo(asRoot ? "runuser" : pgCtl) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asRoot)
        {
            foreach (var a in new[] { "-u", "postgres", "--", pgCtl })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in new[] { "-D", cluster.DataDirectory }.Concat(args))
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());
    }
}
