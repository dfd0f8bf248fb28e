using Marketplace.Chat.Conversations;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Messages;

namespace Marketplace.Chat.IntegrationTests.Hubs;

[Collection(PostgresCollection.Name)]
public sealed class GroupCommitEventsShould(PostgresFixture postgres) : IAsyncLifetime
{
    private ChatTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ChatTestHost.StartAsync(
        await postgres.CreateDatabaseAsync(nameof(GroupCommitEventsShould)), o => { o.MaxSendsPerSecond = 1000; o.SendBurst = 1000; });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Deliver_one_conversations_concurrent_sends_to_a_watching_client_in_sequence_order()
    {
        var id = "tx-" + Guid.NewGuid().ToString("N")[..10];
        var (buyerId, sellerId) = ("buyer-" + id, "seller-" + id);
        _host.Parties.Transactions[id] = new TransactionParties(buyerId, sellerId);
        await _host.Lifecycle(l => l.RegisterTransactionAsync(id));
        await _host.Lifecycle(l => l.ConfirmPaymentAsync(id));
        await using var watcher = await ChatClientProbe.ConnectAsync(_host.Connect("transactions", buyerId));
        await using var buyer = await ChatClientProbe.ConnectAsync(_host.Connect("transactions", buyerId));
        await using var seller = await ChatClientProbe.ConnectAsync(_host.Connect("transactions", sellerId));
        var chat = await watcher.Invoke<ChatSnapshot>("Join", id);
        await buyer.Invoke<ChatSnapshot>("Join", id);
        await seller.Invoke<ChatSnapshot>("Join", id);

        var sends = Enumerable.Range(0, 60)
            .Select(i => (i % 2 == 0 ? buyer : seller).Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), $"message {i}"))
            .ToList();
        var sent = await Task.WhenAll(sends);
        var last = sent.Max(m => m.Sequence);
        await watcher.Messages.Next(m => m.Sequence == last);

        var received = watcher.Messages.All.Where(m => m.Kind == ChatMessageKind.Text).Select(m => m.Sequence).ToList();
        Assert.Equal(60, received.Count);
        Assert.Equal(received.Order(), received);
        Assert.Equal(sent.Select(m => m.Sequence).Order(), received);
    }
}
