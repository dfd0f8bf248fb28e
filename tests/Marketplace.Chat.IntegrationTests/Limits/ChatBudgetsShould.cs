using Marketplace.Chat.Conversations;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Messages;

namespace Marketplace.Chat.IntegrationTests.Limits;

[Collection(PostgresCollection.Name)]
public sealed class ChatBudgetsShould(PostgresFixture postgres)
{
    [Theory]
    [MemberData(nameof(BudgetFloods.Methods), MemberType = typeof(BudgetFloods))]
    public async Task Refuse_a_flood_of_each_method_with_RateLimited(string method)
    {
        var database = await postgres.CreateDatabaseAsync("flood");
        await using var host = await ChatTestHost.StartAsync(database, o => BudgetFloods.Tight(o, method));

        Assert.Equal("RateLimited", await BudgetFloods.FloodAsync(host, method, method.ToLowerInvariant()));
    }

    [Fact]
    public async Task Never_charge_or_refuse_a_retry_of_a_stored_send()
    {
        var database = await postgres.CreateDatabaseAsync("retry");
        await using var host = await ChatTestHost.StartAsync(database, o => { o.SendBurst = 2; o.MaxSendsPerSecond = 0.0001; });
        var chat = await OpenChatAsync(host, "retry");
        await using var buyer = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "b-retry"));
        var c = (await buyer.Invoke<ChatSnapshot>("Join", "tx-retry")).ConversationId;

        var first = Guid.NewGuid();
        var stored = await buyer.Invoke<ChatMessage>("Send", c, first, "once");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(stored.Sequence, (await buyer.Invoke<ChatMessage>("Send", c, first, "once")).Sequence);
        }

        await buyer.Invoke<ChatMessage>("Send", c, Guid.NewGuid(), "second, still within the burst of two");
        Assert.Equal("RateLimited", await buyer.Refusal("Send", c, Guid.NewGuid(), "third"));
        Assert.Equal(stored.Id, (await buyer.Invoke<ChatMessage>("Send", c, first, "once")).Id);
        var history = await buyer.Invoke<ChatHistoryPage>("History", c, null, 0L, 50);
        Assert.Single(history.Messages, m => m.Id == first);
        Assert.Equal(chat, c);
    }

    [Fact]
    public async Task Answer_each_send_over_budget_with_its_stored_copy_a_conflict_or_a_refusal()
    {
        // Every send over budget asks the batched probe whether its id is stored: a mix of retries of stored messages,
        // another user's message id and new ids must each get its own answer.
        var database = await postgres.CreateDatabaseAsync("retrymix");
        await using var host = await ChatTestHost.StartAsync(database, o => { o.SendBurst = 3; o.MaxSendsPerSecond = 0.0001; });
        await OpenChatAsync(host, "mix");
        await using var buyer = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "b-mix"));
        await using var seller = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "s-mix"));
        var c = (await buyer.Invoke<ChatSnapshot>("Join", "tx-mix")).ConversationId;
        await seller.Invoke<ChatSnapshot>("Join", "tx-mix");
        var stored = new List<ChatMessage>();
        for (var i = 0; i < 3; i++)
        {
            stored.Add(await buyer.Invoke<ChatMessage>("Send", c, Guid.NewGuid(), $"stored {i}"));
        }

        var sellers = await seller.Invoke<ChatMessage>("Send", c, Guid.NewGuid(), "the seller's own");
        var calls = new List<(string Kind, Guid Id, Task<ChatMessage> Call)>();
        for (var i = 0; i < 60; i++)
        {
            var (kind, id) = (i % 3) switch
            {
                0 => ("retry", stored[i % stored.Count].Id),
                1 => ("new", Guid.NewGuid()),
                _ => ("foreign", sellers.Id),
            };
            calls.Add((kind, id, buyer.Invoke<ChatMessage>("Send", c, id, "over budget")));
        }

        foreach (var (kind, id, call) in calls)
        {
            switch (kind)
            {
                case "retry":
                    Assert.Equal(id, (await call).Id);
                    break;
                case "new":
                    Assert.Equal("RateLimited", ChatClientProbe.CodeOf(await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => call)));
                    break;
                default:
                    Assert.Equal("MessageIdConflict", ChatClientProbe.CodeOf(await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => call)));
                    break;
            }
        }

        var history = await buyer.Invoke<ChatHistoryPage>("History", c, null, 0L, 50);
        Assert.Equal(4, history.Messages.Count(m => m.Kind == ChatMessageKind.Text));
    }

    [Fact]
    public async Task Refuse_connections_beyond_the_per_user_cap_with_TooManyConnections()
    {
        var database = await postgres.CreateDatabaseAsync("conncap");
        await using var host = await ChatTestHost.StartAsync(database, o => o.Limits.MaxConnectionsPerUser = 2);
        await using var first = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "b-cap"));
        await using var second = await ChatClientProbe.ConnectAsync(host.Connect("disputes", "b-cap"));

        Assert.Equal("TooManyConnections", await RefusedConnectionAsync(host, "b-cap"));
        await using var otherUser = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "s-cap"));
        await first.Connection.StopAsync().WaitAsync(ChatClientProbe.Timeout);
        await using var again = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "b-cap"));
        Assert.Equal(Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected, again.Connection.State);
    }

    [Fact]
    public async Task Refuse_joins_beyond_the_per_connection_cap_until_one_is_left()
    {
        var database = await postgres.CreateDatabaseAsync("joincap");
        await using var host = await ChatTestHost.StartAsync(database, o => o.Limits.MaxJoinsPerConnection = 1);
        await OpenChatAsync(host, "j1", buyer: "b-join");
        await OpenChatAsync(host, "j2", buyer: "b-join");
        await using var buyer = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "b-join"));

        var one = await buyer.Invoke<ChatSnapshot>("Join", "tx-j1");
        await buyer.Invoke<ChatSnapshot>("Join", "tx-j1");
        Assert.Equal("TooManyConnections", await buyer.Refusal("Join", "tx-j2"));
        await buyer.Invoke("Leave", one.ConversationId);
        Assert.Equal("tx-j2", (await buyer.Invoke<ChatSnapshot>("Join", "tx-j2")).TransactionId);
    }

    [Fact]
    public async Task Throttle_typing_in_both_directions_so_a_stop_never_restarts_the_window()
    {
        var database = await postgres.CreateDatabaseAsync("typing");
        await using var host = await ChatTestHost.StartAsync(database, o =>
        {
            o.TypingThrottle = TimeSpan.FromMinutes(5);
            o.Limits.Typing.Burst = 1000;
        });
        await OpenChatAsync(host, "typing");
        await using var buyer = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "b-typing"));
        await using var seller = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "s-typing"));
        var c = (await buyer.Invoke<ChatSnapshot>("Join", "tx-typing")).ConversationId;
        await seller.Invoke<ChatSnapshot>("Join", "tx-typing");

        for (var i = 0; i < 200; i++)
        {
            await buyer.Invoke("Typing", c, i % 2 == 0);
        }

        // Events of one server connection arrive in order: once this message is in, every relayed notice is too.
        var marker = await buyer.Invoke<ChatMessage>("Send", c, Guid.NewGuid(), "done typing");
        await seller.Messages.Next(m => m.Id == marker.Id);
        Assert.Equal([true, false], seller.Typing.All.Select(t => t.IsTyping));
    }

    private static async Task<Guid> OpenChatAsync(ChatTestHost host, string tag, string? buyer = null)
    {
        host.Parties.Transactions["tx-" + tag] = new TransactionParties(buyer ?? "b-" + tag, "s-" + tag);
        var registered = await host.Lifecycle(l => l.RegisterTransactionAsync("tx-" + tag));
        await host.Lifecycle(l => l.ConfirmPaymentAsync("tx-" + tag));
        return registered.Conversation.Id;
    }

    /// <summary>Opens one connection too many and returns the code the server closed it with.</summary>
    internal static async Task<string> RefusedConnectionAsync(ChatTestHost host, string user)
    {
        await using var connection = host.Connect("transactions", user);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += e => { closed.TrySetResult(e); return Task.CompletedTask; };
        try
        {
            await connection.StartAsync().WaitAsync(ChatClientProbe.Timeout);
            return ChatClientProbe.CodeOf((await closed.Task.WaitAsync(ChatClientProbe.Timeout))!);
        }
        catch (Exception e) when (e is not TimeoutException)
        {
            return ChatClientProbe.CodeOf(e);
        }
    }
}
