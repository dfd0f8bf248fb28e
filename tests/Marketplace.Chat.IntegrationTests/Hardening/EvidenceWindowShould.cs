using Marketplace.Chat.Conversations;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Messages;

namespace Marketplace.Chat.IntegrationTests.Hardening;

[Collection(PostgresCollection.Name)]
public sealed class EvidenceWindowShould(PostgresFixture postgres)
{
    private static readonly ChatUser Admin = new("admin-ev", IsAdmin: true);

    [Fact]
    public async Task Let_admins_read_a_resumed_transaction_chat_only_for_the_configured_time_after_the_resolution()
    {
        await using var chat = await ChatHarness.StartAsync(postgres, o => o.AdminEvidenceAccessAfterResolution = TimeSpan.FromHours(2), "evidence");
        var (transactionId, conversation, buyer, _) = await chat.NewTransactionAsync(paid: true);

        await Assert.ThrowsAsync<ChatException>(() => chat.Messaging(m => m.GetViewAsync(Admin, conversation.Id)));
        await chat.Lifecycle(l => l.OpenDisputeAsync(transactionId, "d-" + transactionId));
        Assert.Equal(ChatState.Frozen, (await chat.Messaging(m => m.GetViewAsync(Admin, conversation.Id))).Conversation.State);

        await chat.Lifecycle(l => l.ResolveDisputeAsync("d-" + transactionId, DisputeOutcome.ResumeTransaction));
        chat.Clock.Advance(TimeSpan.FromMinutes(119));
        Assert.Equal(ChatState.Open, (await chat.Messaging(m => m.GetViewAsync(Admin, conversation.Id))).Conversation.State);

        chat.Clock.Advance(TimeSpan.FromMinutes(2));
        var refused = await Assert.ThrowsAsync<ChatException>(() => chat.Messaging(m => m.GetHistoryAsync(Admin, conversation.Id, new HistoryQuery(Limit: 10))));
        Assert.Equal(ChatErrorCode.ConversationNotAvailable, refused.Code);
        Assert.NotNull(await chat.Messaging(m => m.GetHistoryAsync(buyer, conversation.Id, new HistoryQuery(Limit: 10))));

        // A reopened dispute freezes the chat again: evidence again.
        await chat.Lifecycle(l => l.ReopenDisputeAsync("d-" + transactionId));
        Assert.Equal(ChatState.Frozen, (await chat.Messaging(m => m.GetViewAsync(Admin, conversation.Id))).Conversation.State);
    }

    [Fact]
    public async Task End_admin_access_at_the_resolution_when_the_period_is_zero_even_for_a_closed_chat()
    {
        await using var chat = await ChatHarness.StartAsync(postgres, o => o.AdminEvidenceAccessAfterResolution = TimeSpan.Zero, "evidencezero");
        var (transactionId, conversation, _, _) = await chat.NewTransactionAsync(paid: true);
        await chat.Lifecycle(l => l.OpenDisputeAsync(transactionId, "d-" + transactionId));
        await chat.Lifecycle(l => l.ResolveDisputeAsync("d-" + transactionId, DisputeOutcome.CloseTransaction));

        var refused = await Assert.ThrowsAsync<ChatException>(() => chat.Messaging(m => m.GetViewAsync(Admin, conversation.Id)));

        Assert.Equal(ChatErrorCode.ConversationNotAvailable, refused.Code);
    }

    [Fact]
    public async Task Stop_pushing_a_resumed_chat_live_to_the_admin_who_read_it_as_evidence()
    {
        var database = await postgres.CreateDatabaseAsync("evidencelive");
        await using var host = await ChatTestHost.StartAsync(database);
        host.Parties.Transactions["tx-ev"] = new TransactionParties("b-ev", "s-ev");
        await host.Lifecycle(l => l.RegisterTransactionAsync("tx-ev"));
        await host.Lifecycle(l => l.ConfirmPaymentAsync("tx-ev"));
        await using var buyer = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "b-ev"));
        await using var admin = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "admin-ev|Admin"));
        var snapshot = await buyer.Invoke<ChatSnapshot>("Join", "tx-ev");
        await host.Lifecycle(l => l.OpenDisputeAsync("tx-ev", "d-ev"));
        await admin.Invoke<ChatSnapshot>("Join", "tx-ev");

        await host.Lifecycle(l => l.ResolveDisputeAsync("d-ev", DisputeOutcome.ResumeTransaction));
        await admin.States.Next(s => s.To == ChatState.Open);
        var sent = await buyer.Invoke<ChatMessage>("Send", snapshot.ConversationId, Guid.NewGuid(), "after the resolution");

        // The push to the admin, had there been one, was written to their connection before Send returned, so it
        // arrives before the answer to any later call on that connection.
        await admin.Invoke<ChatHistoryPage>("History", snapshot.ConversationId, null, 0L, 1);
        Assert.DoesNotContain(admin.Messages.All, m => m.Id == sent.Id);
        Assert.Contains(buyer.Messages.All, m => m.Id == sent.Id);
    }
}
