using Marketplace.Chat.Conversations;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Messages;

namespace Marketplace.Chat.IntegrationTests.Log;

/// <summary>The log as real SignalR clients over WebSockets see it: live entries, gap-fill of edits and deletions, the evidence method.</summary>
[Collection(PostgresCollection.Name)]
public sealed class LogOverHubsShould(PostgresFixture postgres) : IAsyncLifetime
{
    private ChatTestHost _host = null!;

    public async Task InitializeAsync() => _host = await ChatTestHost.StartAsync(await postgres.CreateDatabaseAsync(nameof(LogOverHubsShould)));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<(string Id, string Buyer, string Seller)> NewPaidTransactionAsync()
    {
        var id = "tx-" + Guid.NewGuid().ToString("N")[..10];
        var (buyer, seller) = ("buyer-" + id, "seller-" + id);
        _host.Parties.Transactions[id] = new TransactionParties(buyer, seller);
        await _host.Lifecycle(l => l.RegisterTransactionAsync(id));
        await _host.Lifecycle(l => l.ConfirmPaymentAsync(id));
        return (id, buyer, seller);
    }

    private Task<ChatClientProbe> ConnectAsync(string hub, string token) => ChatClientProbe.ConnectAsync(_host.Connect(hub, token));

    [Fact]
    public async Task Give_a_client_that_was_offline_the_edit_and_the_deletion_by_gap_fill()
    {
        var (id, buyerId, sellerId) = await NewPaidTransactionAsync();
        await using var seller = await ConnectAsync("transactions", sellerId);
        var chat = await seller.Invoke<ChatSnapshot>("Join", id);
        var policy = await seller.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "No refunds, ever.");
        var admission = await seller.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "It was already cracked.");
        long lastSeen;
        await using (var buyer = await ConnectAsync("transactions", buyerId))
        {
            lastSeen = (await buyer.Invoke<ChatSnapshot>("Join", id)).LastSequence;
        }

        await seller.Invoke<ChatMessage>("Edit", chat.ConversationId, policy.Id, "Happy to discuss a refund.");
        await seller.Invoke<ChatMessage>("Delete", chat.ConversationId, admission.Id);
        await using var back = await ConnectAsync("transactions", buyerId);
        await back.Invoke<ChatSnapshot>("Join", id);
        var gap = await back.Invoke<ChatHistoryPage>("History", chat.ConversationId, null, lastSeen, 100);

        Assert.Equal(admission.Sequence, lastSeen);
        Assert.Equal([lastSeen + 1, lastSeen + 2], gap.Messages.Select(m => m.Sequence));
        var (edit, deletion) = (gap.Messages[0], gap.Messages[1]);
        Assert.Equal((ChatMessageKind.Edit, policy.Id, policy.Sequence, "Happy to discuss a refund."), (edit.Kind, edit.TargetId!.Value, edit.TargetSequence!.Value, edit.Text));
        Assert.Equal((ChatMessageKind.Deletion, admission.Id, admission.Sequence, (string?)null), (deletion.Kind, deletion.TargetId!.Value, deletion.TargetSequence!.Value, deletion.Text));
        Assert.Equal((sellerId, ParticipantRole.Seller), (deletion.SenderId, deletion.SenderRole!.Value));
        var all = await back.Invoke<ChatHistoryPage>("History", chat.ConversationId, null, 0L, 100);
        Assert.Equal(Enumerable.Range(1, all.Messages.Count).Select(i => (long)i), all.Messages.Select(m => m.Sequence));
        Assert.Equal("Happy to discuss a refund.", all.Messages.Single(m => m.Id == policy.Id).Text);
        Assert.True(all.Messages.Single(m => m.Id == admission.Id).IsDeleted);
        Assert.DoesNotContain(all.Messages, m => m.Text is "No refunds, ever." or "It was already cracked.");
    }

    [Fact]
    public async Task Push_every_entry_live_in_sequence_order_and_the_changed_message_after_each_change()
    {
        var (id, buyerId, sellerId) = await NewPaidTransactionAsync();
        await using var buyer = await ConnectAsync("transactions", buyerId);
        await using var seller = await ConnectAsync("transactions", sellerId);
        var chat = await seller.Invoke<ChatSnapshot>("Join", id);
        await buyer.Invoke<ChatSnapshot>("Join", id);

        var message = await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "I pay 500");
        var edited = await buyer.Invoke<ChatMessage>("Edit", chat.ConversationId, message.Id, "I pay 50");
        await _host.Lifecycle(l => l.PostNoticeAsync(id, "ship-1", new ChatNotice("OrderShipped", "Shipped.", new Dictionary<string, string> { ["tracking"] = "1Z" })));
        await buyer.Invoke<ChatMessage>("Delete", chat.ConversationId, message.Id);
        await _host.Lifecycle(l => l.CompleteAsync(id));

        var last = await seller.Messages.Next(m => m.SystemCode == nameof(ChatTrigger.Completed));
        var received = seller.Messages.All;
        Assert.Equal(Enumerable.Range((int)message.Sequence, 5).Select(i => (long)i), received.Select(m => m.Sequence));
        Assert.Equal(
            [ChatMessageKind.Text, ChatMessageKind.Edit, ChatMessageKind.Notice, ChatMessageKind.Deletion, ChatMessageKind.System],
            received.Select(m => m.Kind));
        Assert.Equal("1Z", received[2].Parameters!["tracking"]);
        Assert.Equal((message.Id, "I pay 50"), (received[1].TargetId!.Value, received[1].Text));
        var afterEdit = await seller.Changes.Next(m => m.Id == message.Id && !m.IsDeleted);
        var afterDelete = await seller.Changes.Next(m => m.Id == message.Id && m.IsDeleted);
        Assert.Equal(("I pay 50", "I pay 50"), (afterEdit.Text, edited.Text));
        Assert.Null(afterDelete.Text);
        Assert.Equal(last.Sequence, (await seller.Invoke<ChatSnapshot>("Join", id)).LastSequence);
    }

    [Fact]
    public async Task Serve_the_evidence_to_an_admin_over_the_hub_and_refuse_it_to_the_parties()
    {
        var (id, buyerId, sellerId) = await NewPaidTransactionAsync();
        await using var seller = await ConnectAsync("transactions", sellerId);
        await using var buyer = await ConnectAsync("transactions", buyerId);
        var chat = await seller.Invoke<ChatSnapshot>("Join", id);
        await buyer.Invoke<ChatSnapshot>("Join", id);
        var policy = await seller.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "No refunds, ever.");
        await seller.Invoke<ChatMessage>("Edit", chat.ConversationId, policy.Id, "Happy to discuss a refund.");
        Assert.Equal("ConversationNotAvailable", await seller.Refusal("Evidence", chat.ConversationId));
        await _host.Lifecycle(l => l.OpenDisputeAsync(id, "d-" + id));

        await using var admin = await ConnectAsync("transactions", "admin-3|Admin");
        var adminView = await admin.Invoke<ChatSnapshot>("Join", id);
        var evidence = await admin.Invoke<ChatEvidence>("Evidence", chat.ConversationId);

        Assert.True(adminView.Permissions[Access.ChatAction.ReadEvidence].Allowed);
        var original = evidence.Entries.Single(e => e.Id == policy.Id);
        Assert.Equal(("No refunds, ever.", "Happy to discuss a refund."), (original.Text, original.CurrentText));
        Assert.NotNull(original.EditedAt);
        Assert.True(evidence.Verification.IsIntact);
        Assert.Equal("ConversationNotAvailable", await buyer.Refusal("Evidence", chat.ConversationId));
        Assert.Equal("ConversationNotAvailable", await seller.Refusal("Evidence", chat.ConversationId));
        await using var disputes = await ConnectAsync("disputes", buyerId);
        var dispute = await disputes.Invoke<ChatSnapshot>("Join", "d-" + id);
        Assert.Equal("ConversationNotAvailable", await disputes.Refusal("Evidence", dispute.ConversationId));
    }
}
