using System.Net;
using System.Net.Http.Json;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Notifications;
using Marketplace.Chat.Persistence;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.IntegrationTests.Notifications;

[Collection(PostgresCollection.Name)]
public sealed class NotificationsShould(PostgresFixture postgres)
{
    private static void Fast(ChatOptions o)
    {
        o.Notifications.PollInterval = TimeSpan.FromMilliseconds(200);
        o.Notifications.HandlerTimeout = TimeSpan.FromSeconds(1);
        o.Notifications.RetryBackoff = TimeSpan.FromMilliseconds(100);
        o.SendBurst = 1000;
    }

    private static Task<ChatTestHost> HostAsync(string database, DeliveryLog log, Action<ChatOptions>? more = null, Action<ChatBuilder>? chat = null, TestParties? parties = null, bool createSchema = true) =>
        ChatTestHost.StartAsync(
            database,
            o => { Fast(o); more?.Invoke(o); },
            parties,
            createSchema,
            b =>
            {
                b.Services.AddSingleton(log);
                b.AddNotificationHandler<RecordingHandler>().AddAdministrators<TwoAdministrators>();
                chat?.Invoke(b);
            });

    [Fact]
    public async Task Reach_the_right_people_with_the_right_kinds_and_never_the_sender()
    {
        var log = new DeliveryLog();
        await using var host = await HostAsync(await postgres.CreateDatabaseAsync("notify_kinds"), log);
        host.Parties.Transactions["tx-n"] = new TransactionParties("buyer", "seller");
        await host.Lifecycle(l => l.RegisterTransactionAsync("tx-n"));
        await host.Lifecycle(l => l.ConfirmPaymentAsync("tx-n", new ChatEventContext("payments")));
        await using var buyer = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "buyer"));
        var chat = await buyer.Invoke<ChatSnapshot>("Join", "tx-n");
        await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "Is the bike still available?");
        await host.Lifecycle(l => l.OpenDisputeAsync("tx-n", "d-n", new ChatEventContext("buyer")));
        await using var admin = await ChatClientProbe.ConnectAsync(host.Connect("disputes", "admin-a|Admin"));
        var dispute = await admin.Invoke<ChatSnapshot>("Join", "d-n");
        await admin.Invoke<ChatMessage>("Send", dispute.ConversationId, Guid.NewGuid(), "Please share the tracking number.");
        await using var seller = await ChatClientProbe.ConnectAsync(host.Connect("disputes", "seller"));
        await seller.Invoke<ChatSnapshot>("Join", "d-n");
        await seller.Invoke<ChatMessage>("Send", dispute.ConversationId, Guid.NewGuid(), "It is 1Z999.");
        await host.Lifecycle(l => l.ResolveDisputeAsync("d-n", DisputeOutcome.CloseTransaction, new ChatEventContext("admin-a")));

        string[] expected =
        [
            "buyer ChatUnlocked", "seller ChatUnlocked",
            "seller NewTransactionMessage",
            "seller ChatFrozen",
            "seller DisputeOpened", "admin-a DisputeOpened", "admin-b DisputeOpened",
            "buyer AdminJoined", "seller AdminJoined",
            "buyer NewDisputeMessage", "seller NewDisputeMessage",
            "buyer NewDisputeMessage", "admin-a NewDisputeMessage",
            "buyer DisputeResolved", "seller DisputeResolved",
            "buyer ChatClosed", "seller ChatClosed",
        ];
        await log.WaitForAsync(expected.Length);
        var stored = await CountAsync(host);
        Assert.Equal(expected.Length, stored);
        Assert.Equal(expected.Order(), log.Received.Select(n => $"{n.RecipientId} {n.Kind}").Order());
        var message = Assert.Single(log.Received, n => n.Kind == ChatNotificationKind.NewTransactionMessage);
        Assert.Equal("Is the bike still available?", message.Preview);
        Assert.Equal("buyer", message.ActorId);
        Assert.All(log.Received.Where(n => n.Kind == ChatNotificationKind.NewDisputeMessage), n => Assert.Equal("d-n", n.DisputeId));
        Assert.Equal(expected.Length, log.Received.Select(n => n.Id).Distinct().Count());

        // Deliveries run concurrently: none may have failed, e.g. by sharing one DbContext between threads.
        await WaitForAsync(async () => await PendingAsync(host) == 0);
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains("Notification handler", StringComparison.Ordinal) || line.Contains("second operation", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Keep_the_inbox_live_when_another_handler_throws_or_hangs()
    {
        var log = new DeliveryLog();
        await using var host = await HostAsync(
            await postgres.CreateDatabaseAsync("notify_broken"), log, o => o.Notifications.MaxAttempts = 2,
            b => b.AddNotificationHandler<ThrowingHandler>().AddNotificationHandler<HangingHandler>());
        host.Parties.Transactions["tx-b"] = new TransactionParties("b", "s");
        await host.Lifecycle(l => l.RegisterTransactionAsync("tx-b"));
        await using var seller = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "s"));
        var pushes = new EventLog<NotificationPush>();
        seller.Connection.On<NotificationPush>(nameof(IChatClient.Notification), pushes.Add);

        await host.Lifecycle(l => l.ConfirmPaymentAsync("tx-b"));

        var push = await pushes.Next(p => p.Notification.Kind == ChatNotificationKind.ChatUnlocked, TimeSpan.FromSeconds(10));
        Assert.Equal(1, push.UnreadCount);
        using var http = host.Http("s");
        var inbox = await http.GetFromJsonAsync<ChatInboxPage>("/chat/notifications");
        Assert.Equal(ChatNotificationKind.ChatUnlocked, Assert.Single(inbox!.Notifications).Kind);
        await log.WaitForAsync(2);

        // Both broken handlers are retried, then their failures are recorded, and the row is settled.
        var deliveries = await WaitForDeliveriesAsync(host, d => d.FailedAt != null, expected: 4);
        Assert.Contains(deliveries, d => d.Handler.EndsWith(nameof(ThrowingHandler), StringComparison.Ordinal) && d.LastError!.Contains("SMTP", StringComparison.Ordinal));
        Assert.Contains(deliveries, d => d.Handler.EndsWith(nameof(HangingHandler), StringComparison.Ordinal) && d.LastError!.Contains("timed out", StringComparison.Ordinal));
        Assert.All(deliveries.Where(d => d.FailedAt != null), d => Assert.Equal(2, d.Attempts));
    }

    [Fact]
    public async Task Deliver_exactly_the_missing_notifications_after_a_stop_between_commit_and_dispatch()
    {
        var database = await postgres.CreateDatabaseAsync("notify_crash");
        var parties = new TestParties();
        parties.Transactions["tx-c"] = new TransactionParties("b", "s");
        var before = new DeliveryLog();
        await using (var first = await HostAsync(database, before, o => o.Notifications.DispatcherEnabled = false, parties: parties))
        {
            await first.Lifecycle(l => l.RegisterTransactionAsync("tx-c"));
            await first.Lifecycle(l => l.ConfirmPaymentAsync("tx-c"));
            await using (var scope = first.Services.CreateAsyncScope())
            {
                // The dispatcher ran once (these two were delivered), then the process "died" before the next round.
                Assert.Equal(2, await first.Services.GetRequiredService<NotificationDispatcher>().DispatchOnceAsync(CancellationToken.None));
            }

            await using var buyer = await ChatClientProbe.ConnectAsync(first.Connect("transactions", "b"));
            var chat = await buyer.Invoke<ChatSnapshot>("Join", "tx-c");
            for (var i = 0; i < 3; i++)
            {
                await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), $"unsent {i}");
            }
        }

        Assert.Equal(2, before.Received.Count);
        var after = new DeliveryLog();
        await using var second = await HostAsync(database, after, parties: parties, createSchema: false);
        await after.WaitForAsync(3);
        await WaitForAsync(async () => await PendingAsync(second) == 0);

        Assert.Equal(["unsent 0", "unsent 1", "unsent 2"], after.Received.Select(n => n.Preview).Order());
        Assert.Empty(after.Received.Select(n => n.Id).Intersect(before.Received.Select(n => n.Id)));
        Assert.Equal(3, after.Received.Count);
    }

    [Fact]
    public async Task Update_unread_counts_live_when_marked_read()
    {
        var log = new DeliveryLog();
        await using var host = await HostAsync(await postgres.CreateDatabaseAsync("notify_read"), log);
        host.Parties.Transactions["tx-r"] = new TransactionParties("b", "s");
        await host.Lifecycle(l => l.RegisterTransactionAsync("tx-r"));
        await host.Lifecycle(l => l.ConfirmPaymentAsync("tx-r"));
        await using var buyer = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "b"));
        var chat = await buyer.Invoke<ChatSnapshot>("Join", "tx-r");
        await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "one");
        await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "two");
        await log.WaitForAsync(4);
        await using var seller = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "s"));
        var counts = new EventLog<NotificationCount>();
        seller.Connection.On<NotificationCount>(nameof(IChatClient.NotificationCountChanged), counts.Add);
        using var http = host.Http("s");

        var unread = await http.GetFromJsonAsync<NotificationCount>("/chat/notifications/unread-count");
        var page = await http.GetFromJsonAsync<ChatInboxPage>("/chat/notifications?limit=2");
        var one = await http.PostAsync($"/chat/notifications/{page!.Notifications[0].Number}/read", null);
        var afterOne = await counts.Next();
        var older = await http.GetFromJsonAsync<ChatInboxPage>($"/chat/notifications?before={page.Notifications[^1].Number}");
        await http.PostAsync("/chat/notifications/read-all", null);
        var afterAll = await counts.Next(c => c.UnreadCount == 0);
        using var other = host.Http("b");
        var notTheirs = await other.PostAsync($"/chat/notifications/{page.Notifications[0].Number}/read", null);

        Assert.Equal(3, unread!.UnreadCount);
        Assert.Equal(["two", "one"], page.Notifications.Select(n => n.Preview));
        Assert.True(page.HasMore);
        Assert.Equal(ChatNotificationKind.ChatUnlocked, Assert.Single(older!.Notifications).Kind);
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(2, afterOne.UnreadCount);
        Assert.Equal(0, afterAll.UnreadCount);
        Assert.Equal(HttpStatusCode.NotFound, notTheirs.StatusCode);
        using var anonymous = new HttpClient { BaseAddress = host.BaseUrl };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/chat/notifications")).StatusCode);
    }

    [Fact]
    public async Task Mark_a_conversations_notifications_read_when_the_conversation_is_read()
    {
        var log = new DeliveryLog();
        await using var host = await HostAsync(await postgres.CreateDatabaseAsync("notify_conv_read"), log);
        host.Parties.Transactions["tx-cr"] = new TransactionParties("b", "s");
        await host.Lifecycle(l => l.RegisterTransactionAsync("tx-cr"));
        await host.Lifecycle(l => l.ConfirmPaymentAsync("tx-cr"));
        await using var buyer = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "b"));
        var chat = await buyer.Invoke<ChatSnapshot>("Join", "tx-cr");
        var first = await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "first");
        await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "second");
        await log.WaitForAsync(4);
        await using var seller = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "s"));
        var counts = new EventLog<NotificationCount>();
        seller.Connection.On<NotificationCount>(nameof(IChatClient.NotificationCountChanged), counts.Add);
        await seller.Invoke<ChatSnapshot>("Join", "tx-cr");

        await seller.Invoke<int>("MarkRead", chat.ConversationId, first.Sequence);

        Assert.Equal(1, (await counts.Next()).UnreadCount);
        using var http = host.Http("s");
        var inbox = await http.GetFromJsonAsync<ChatInboxPage>("/chat/notifications");
        Assert.Equal(["second"], inbox!.Notifications.Where(n => !n.IsRead).Select(n => n.Preview));
    }

    private static async Task<int> CountAsync(ChatTestHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ChatTestDbContext>().Set<NotificationRecord>().CountAsync();
    }

    private static async Task<int> PendingAsync(ChatTestHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ChatTestDbContext>().Set<NotificationRecord>().CountAsync(n => n.DispatchedAt == null);
    }

    private static async Task<List<NotificationDeliveryRecord>> WaitForDeliveriesAsync(
        ChatTestHost host, Func<NotificationDeliveryRecord, bool> settled, int expected)
    {
        List<NotificationDeliveryRecord> rows = [];
        await WaitForAsync(async () =>
        {
            await using var scope = host.Services.CreateAsyncScope();
            rows = await scope.ServiceProvider.GetRequiredService<ChatTestDbContext>().Set<NotificationDeliveryRecord>().ToListAsync();
            return rows.Count(settled) >= expected;
        });
        return rows;
    }

    /// <summary>Polls a database condition the dispatcher moves towards (no event exists for "row settled"), with a deadline.</summary>
    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (!await condition())
        {
            if (!await tick.WaitForNextTickAsync(deadline.Token).AsTask().ContinueWith(t => !t.IsCanceled && t.Result, TaskScheduler.Default))
            {
                throw new TimeoutException("The condition was not met in time.");
            }
        }
    }
}
