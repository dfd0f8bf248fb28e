using Marketplace.Chat.Conversations;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Limits;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Limits;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Notifications;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Marketplace.Chat.IntegrationTests.Redis;

/// <summary>Several real Kestrel nodes on one PostgreSQL database and one real redis-server, wired with <c>AddRedis</c>.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RedisScaleOutShould(PostgresFixture postgres, RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Lifetime = TimeSpan.FromMilliseconds(800);

    [Fact]
    public async Task Deliver_messages_state_changes_typing_receipts_and_notifications_live_across_nodes()
    {
        var (a, b, c) = await ThreeNodesAsync("live");
        await using var _ = a;
        await using var __ = b;
        await using var ___ = c;
        a.Parties.Transactions["tx-live"] = new TransactionParties("b-live", "s-live");
        await a.Lifecycle(l => l.RegisterTransactionAsync("tx-live"));
        await using var buyer = await ChatClientProbe.ConnectAsync(a.Connect("transactions", "b-live"));
        await using var seller = await ChatClientProbe.ConnectAsync(b.Connect("transactions", "s-live"));
        var notifications = new EventLog<NotificationPush>();
        seller.Connection.On<NotificationPush>(nameof(IChatClient.Notification), notifications.Add);
        var conversation = (await buyer.Invoke<ChatSnapshot>("Join", "tx-live")).ConversationId;
        await seller.Invoke<ChatSnapshot>("Join", "tx-live");

        await c.Lifecycle(l => l.ConfirmPaymentAsync("tx-live"));
        Assert.Equal(ChatState.Open, (await seller.States.Next()).To);
        Assert.Equal(ChatState.Open, (await buyer.States.Next()).To);

        var sent = await buyer.Invoke<ChatMessage>("Send", conversation, Guid.NewGuid(), "from node A");
        Assert.Equal("from node A", (await seller.Messages.Next(m => m.Id == sent.Id)).Text);
        var edited = await buyer.Invoke<ChatMessage>("Edit", conversation, sent.Id, "edited on node A");
        Assert.Equal("edited on node A", (await seller.Changes.Next(m => m.Id == edited.Id)).Text);
        await seller.Invoke("Typing", conversation, true);
        Assert.Equal("s-live", (await buyer.Typing.Next(t => t.IsTyping)).UserId);
        await seller.Invoke<int>("MarkRead", conversation, sent.Sequence);
        Assert.Equal(sent.Sequence, (await buyer.Receipts.Next(r => r.UserId == "s-live")).Sequence);
        var push = await notifications.Next(p => p.Notification.Kind == ChatNotificationKind.NewTransactionMessage);
        Assert.Equal(conversation, push.Notification.ConversationId);
    }

    [Fact]
    public async Task Show_presence_cluster_wide()
    {
        var database = await postgres.CreateDatabaseAsync("presence");
        var parties = new TestParties();
        await using var a = await NodeAsync(database, "presence", parties);
        await using var b = await NodeAsync(database, "presence", parties, createSchema: false);
        await OpenAsync(a, "tx-presence", "b-presence", "s-presence");
        await using var buyer = await ChatClientProbe.ConnectAsync(a.Connect("transactions", "b-presence"));
        await buyer.Invoke<ChatSnapshot>("Join", "tx-presence");

        await using var seller = await ChatClientProbe.ConnectAsync(b.Connect("transactions", "s-presence"));
        var snapshot = await seller.Invoke<ChatSnapshot>("Join", "tx-presence");
        Assert.Equal(["b-presence", "s-presence"], snapshot.Online);
        Assert.True((await buyer.Presence.Next(p => p.UserId == "s-presence")).IsOnline);

        await seller.Connection.StopAsync().WaitAsync(ChatClientProbe.Timeout);
        Assert.False((await buyer.Presence.Next(p => p.UserId == "s-presence")).IsOnline);
    }

    [Fact]
    public async Task Give_a_user_one_send_allowance_across_nodes_and_node_restarts()
    {
        var database = await postgres.CreateDatabaseAsync("budget");
        var parties = new TestParties();
        Action<ChatOptions> tight = o => { o.SendBurst = 4; o.MaxSendsPerSecond = 0.0001; };
        await using var a = await NodeAsync(database, "budget", parties, configure: tight);
        var b = await NodeAsync(database, "budget", parties, createSchema: false, configure: tight);
        await OpenAsync(a, "tx-budget", "b-budget", "s-budget");
        await using var onA = await ChatClientProbe.ConnectAsync(a.Connect("transactions", "b-budget"));
        var conversation = (await onA.Invoke<ChatSnapshot>("Join", "tx-budget")).ConversationId;
        await using (var onB = await ChatClientProbe.ConnectAsync(b.Connect("transactions", "b-budget")))
        {
            await onB.Invoke<ChatSnapshot>("Join", "tx-budget");
            for (var i = 0; i < 4; i++)
            {
                await (i % 2 == 0 ? onA : onB).Invoke<ChatMessage>("Send", conversation, Guid.NewGuid(), $"shared {i}");
            }

            Assert.Equal("RateLimited", await onB.Refusal("Send", conversation, Guid.NewGuid(), "fifth on B"));
            Assert.Equal("RateLimited", await onA.Refusal("Send", conversation, Guid.NewGuid(), "fifth on A"));
        }

        await b.DisposeAsync();
        await using var restarted = await NodeAsync(database, "budget", parties, createSchema: false, configure: tight);
        await using var again = await ChatClientProbe.ConnectAsync(restarted.Connect("transactions", "b-budget"));
        await again.Invoke<ChatSnapshot>("Join", "tx-budget");
        Assert.Equal("RateLimited", await again.Refusal("Send", conversation, Guid.NewGuid(), "after a restart"));
    }

    [Fact]
    public async Task Cap_a_users_connections_across_nodes()
    {
        var database = await postgres.CreateDatabaseAsync("conncap");
        var parties = new TestParties();
        Action<ChatOptions> cap = o => o.Limits.MaxConnectionsPerUser = 2;
        await using var a = await NodeAsync(database, "conncap", parties, configure: cap, defaultLifetimes: true);
        await using var b = await NodeAsync(database, "conncap", parties, createSchema: false, configure: cap, defaultLifetimes: true);
        await using var first = await ChatClientProbe.ConnectAsync(a.Connect("transactions", "b-cap"));
        await using var second = await ChatClientProbe.ConnectAsync(b.Connect("disputes", "b-cap"));

        Assert.Equal("TooManyConnections", await ChatBudgetsShould.RefusedConnectionAsync(a, "b-cap"));
        Assert.Equal("TooManyConnections", await ChatBudgetsShould.RefusedConnectionAsync(b, "b-cap"));
        await second.Connection.StopAsync().WaitAsync(ChatClientProbe.Timeout);
        await using var third = await ChatClientProbe.ConnectAsync(a.Connect("transactions", "b-cap"));
        Assert.Equal(HubConnectionState.Connected, third.Connection.State);
    }

    [Theory]
    [MemberData(nameof(BudgetFloods.Methods), MemberType = typeof(BudgetFloods))]
    public async Task Refuse_a_flood_of_each_method_with_RateLimited_from_the_shared_budget(string method)
    {
        var database = await postgres.CreateDatabaseAsync("rflood");
        await using var host = await NodeAsync(database, "flood-" + method, new TestParties(), configure: o => BudgetFloods.Tight(o, method));

        Assert.Equal("RateLimited", await BudgetFloods.FloodAsync(host, method, method.ToLowerInvariant()));
        Assert.IsType<Marketplace.Chat.Redis.RedisChatBudgetStore>(host.Services.GetRequiredService<IChatBudgetStore>());
    }

    [Fact]
    public async Task Store_and_acknowledge_every_send_while_Redis_is_down_and_resume_live_delivery_when_it_returns()
    {
        await using var own = await RedisServer.StartAsync();
        var database = await postgres.CreateDatabaseAsync("outage");
        var parties = new TestParties();
        Action<ChatOptions> roomy = o => o.Limits.Typing.Burst = o.Limits.Reads.Burst = o.Limits.Sends.Burst = 100;
        await using var a = await NodeAsync(database, "outage", parties, server: own, configure: roomy);
        await using var b = await NodeAsync(database, "outage", parties, server: own, createSchema: false, configure: roomy);
        await OpenAsync(a, "tx-outage", "b-outage", "s-outage");
        await using var buyer = await ChatClientProbe.ConnectAsync(a.Connect("transactions", "b-outage"));
        await using var seller = await ChatClientProbe.ConnectAsync(b.Connect("transactions", "s-outage"));
        var conversation = (await buyer.Invoke<ChatSnapshot>("Join", "tx-outage")).ConversationId;
        await seller.Invoke<ChatSnapshot>("Join", "tx-outage");
        var acknowledged = new System.Collections.Concurrent.ConcurrentQueue<ChatMessage>();
        async Task<ChatMessage> SendAsync(ChatClientProbe from, string text)
        {
            var sent = await from.Invoke<ChatMessage>("Send", conversation, Guid.NewGuid(), text);
            acknowledged.Enqueue(sent);
            return sent;
        }

        var first = await SendAsync(buyer, "before the outage");
        await seller.Messages.Next(m => m.Id == first.Id);
        Assert.Equal(HealthStatus.Healthy, (await HealthAsync(a)).Status);

        // Under traffic from both nodes: the buyer's and the seller's loops run while Redis is killed under them.
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task LoopAsync(ChatClientProbe from, string who)
        {
            for (var i = 0; i < 20; i++)
            {
                var sent = await SendAsync(from, $"{who} {i}");
                await from.Invoke<int>("MarkRead", conversation, sent.Sequence);
                await from.Invoke("Typing", conversation, i % 2 == 0);
                if (i == 5)
                {
                    await killed.Task.WaitAsync(ChatClientProbe.Timeout);
                }
            }
        }

        var loops = Task.WhenAll(LoopAsync(buyer, "buyer"), LoopAsync(seller, "seller"));
        await own.KillAsync();
        killed.SetResult();
        await loops.WaitAsync(TimeSpan.FromSeconds(60));

        var down = await WaitForHealthAsync(a, HealthStatus.Degraded);
        Assert.Equal(HealthStatus.Degraded, down.Entries["marketplace-chat-redis"].Status);
        Assert.Equal(HealthStatus.Healthy, down.Entries["marketplace-chat"].Status);

        // A client that connects and joins while Redis is down is served too, and gets live events once Redis is back.
        await using var late = await ChatClientProbe.ConnectAsync(b.Connect("transactions", "s-outage"));
        await late.Invoke<ChatSnapshot>("Join", "tx-outage");

        await own.StartAgainAsync();
        await WaitForHealthAsync(a, HealthStatus.Healthy);

        // Live delivery resumes by itself once the client library has reconnected and resubscribed: probe until one arrives.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        ChatMessage? live = null;
        while (live is null)
        {
            var probe = await SendAsync(buyer, "after the outage");
            try
            {
                var toSeller = await seller.Messages.Next(m => m.Id == probe.Id, TimeSpan.FromMilliseconds(500));
                await late.Messages.Next(m => m.Id == probe.Id, TimeSpan.FromMilliseconds(500));
                live = toSeller;
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline)
            {
            }
        }

        var history = await seller.Invoke<ChatHistoryPage>("History", conversation, null, 0L, 100);
        var stored = history.Messages.Where(m => m.Kind == ChatMessageKind.Text).ToList();
        Assert.Equal(acknowledged.Select(m => m.Id).Order(), stored.Select(m => m.Id).Order());
        Assert.True(acknowledged.Count >= 42, $"Only {acknowledged.Count} sends were acknowledged.");
        Assert.Equal(stored.Count, stored.Select(m => m.Sequence).Distinct().Count());
        Assert.DoesNotContain(a.Logs.Lines.Concat(b.Logs.Lines), l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("Marketplace.Chat", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fall_back_to_each_nodes_own_budget_and_cap_while_Redis_is_unreachable()
    {
        await using var own = await RedisServer.StartAsync();
        var database = await postgres.CreateDatabaseAsync("fallback");
        Action<ChatOptions> tight = o =>
        {
            o.SendBurst = 3;
            o.MaxSendsPerSecond = 0.0001;
            o.Limits.MaxConnectionsPerUser = 2;
        };
        await using var node = await NodeAsync(database, "fallback", new TestParties(), server: own, configure: tight);
        await OpenAsync(node, "tx-fallback", "b-fallback", "s-fallback");
        await own.KillAsync();

        await using var buyer = await ChatClientProbe.ConnectAsync(node.Connect("transactions", "b-fallback"));
        await using var second = await ChatClientProbe.ConnectAsync(node.Connect("disputes", "b-fallback"));
        var conversation = (await buyer.Invoke<ChatSnapshot>("Join", "tx-fallback")).ConversationId;
        for (var i = 0; i < 3; i++)
        {
            await buyer.Invoke<ChatMessage>("Send", conversation, Guid.NewGuid(), $"Redis is down {i}");
        }

        Assert.Equal("RateLimited", await buyer.Refusal("Send", conversation, Guid.NewGuid(), "one too many"));
        Assert.Equal("TooManyConnections", await ChatBudgetsShould.RefusedConnectionAsync(node, "b-fallback"));
        Assert.Contains(node.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Redis is unreachable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_and_serve_when_Redis_is_down_from_the_start()
    {
        var never = await RedisServer.StartAsync();
        await never.DisposeAsync();
        var database = await postgres.CreateDatabaseAsync("neverredis");
        await using var node = await NodeAsync(database, "never", new TestParties(), server: never);
        await OpenAsync(node, "tx-never", "b-never", "s-never");
        await using var buyer = await ChatClientProbe.ConnectAsync(node.Connect("transactions", "b-never"));
        await using var seller = await ChatClientProbe.ConnectAsync(node.Connect("transactions", "s-never"));
        var conversation = (await buyer.Invoke<ChatSnapshot>("Join", "tx-never")).ConversationId;
        Assert.Contains("b-never", (await seller.Invoke<ChatSnapshot>("Join", "tx-never")).Online);

        var sent = await buyer.Invoke<ChatMessage>("Send", conversation, Guid.NewGuid(), "stored without Redis");
        var history = await seller.Invoke<ChatHistoryPage>("History", conversation, null, 0L, 50);

        Assert.Contains(history.Messages, m => m.Id == sent.Id);
        var health = await HealthAsync(node);
        Assert.Equal(HealthStatus.Degraded, health.Entries["marketplace-chat-redis"].Status);
        Assert.Equal(HealthStatus.Healthy, health.Entries["marketplace-chat"].Status);
    }

    [Fact]
    public async Task Shut_a_node_down_cleanly_while_Redis_hangs()
    {
        await using var hung = await RedisServer.StartAsync();
        var database = await postgres.CreateDatabaseAsync("hungredis");
        ChatTestHost? node = await NodeAsync(database, "hung", new TestParties(), server: hung);
        try
        {
            await OpenAsync(node, "tx-hung", "b-hung", "s-hung");
            await using (var buyer = await ChatClientProbe.ConnectAsync(node.Connect("transactions", "b-hung")))
            {
                // Joined, so the backplane holds group subscriptions as well as the connection's own channels.
                var conversation = (await buyer.Invoke<ChatSnapshot>("Join", "tx-hung")).ConversationId;
                await buyer.Invoke<ChatMessage>("Send", conversation, Guid.NewGuid(), "before the hang");
                await hung.FreezeAsync();
            }

            // The backplane's dispose unsubscribes synchronously, and against a hung Redis that can time out: the node must
            // still stop, without throwing or logging an error, in a bounded time.
            var logs = node.Logs;
            await node.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
            node = null;
            Assert.DoesNotContain(logs.Lines, l => l.StartsWith("Error ", StringComparison.Ordinal) || l.StartsWith("Critical ", StringComparison.Ordinal));
        }
        finally
        {
            await hung.ThawAsync();
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }
    }

    private async Task<(ChatTestHost, ChatTestHost, ChatTestHost)> ThreeNodesAsync(string name)
    {
        var database = await postgres.CreateDatabaseAsync(name);
        var parties = new TestParties();
        var a = await NodeAsync(database, name, parties);
        var b = await NodeAsync(database, name, parties, createSchema: false);
        var c = await NodeAsync(database, name, parties, createSchema: false);
        return (a, b, c);
    }

    private Task<ChatTestHost> NodeAsync(
        string database, string prefix, TestParties parties, bool createSchema = true, Action<ChatOptions>? configure = null, RedisServer? server = null,
        bool defaultLifetimes = false) =>
        ChatTestHost.StartAsync(database, configure, parties, createSchema, chat =>
        {
            chat.AddRedis(o =>
            {
                o.ConnectionString = (server ?? redis.Server).ConnectionString;
                o.KeyPrefix = $"test:{prefix}:{Environment.ProcessId}:";
                if (!defaultLifetimes)
                {
                    // Short enough for the presence tests to watch a node's users expire; counting tests keep the defaults,
                    // so a heartbeat delayed on a loaded machine cannot expire a live connection in the middle of them.
                    o.HeartbeatInterval = Heartbeat;
                    o.EntryLifetime = Lifetime;
                }
                else
                {
                    // A Redis call slower than the 1 s default is answered per node (by design); on a loaded machine that
                    // would make a counting test measure the fallback instead of the cluster-wide count it is about.
                    o.OperationTimeout = TimeSpan.FromSeconds(5);
                }
            });
            chat.Services.AddHealthChecks().AddMarketplaceChat();
        });

    private static async Task OpenAsync(ChatTestHost host, string transaction, string buyer, string seller)
    {
        host.Parties.Transactions[transaction] = new TransactionParties(buyer, seller);
        await host.Lifecycle(l => l.RegisterTransactionAsync(transaction));
        await host.Lifecycle(l => l.ConfirmPaymentAsync(transaction));
    }

    private static Task<HealthReport> HealthAsync(ChatTestHost host) => host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

    private static async Task<HealthReport> WaitForHealthAsync(ChatTestHost host, HealthStatus status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var report = await HealthAsync(host).WaitAsync(TimeSpan.FromSeconds(10));
            if (report.Status == status)
            {
                return report;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Health stayed {report.Status}, expected {status}.");
            await Task.Delay(100);
        }
    }
}
