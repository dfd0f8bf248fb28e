using Marketplace.Chat.Access;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Messages;
using Microsoft.AspNetCore.SignalR;

namespace Marketplace.Chat.IntegrationTests.Hubs;

/// <summary>Every hub method, for every role, in every state, through a real connection: the hub applies the access policy each time.</summary>
[Collection(PostgresCollection.Name)]
public sealed class HubAccessMatrixShould(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Admin = "admin-m|Admin";
    private ChatTestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await ChatTestHost.StartAsync(await postgres.CreateDatabaseAsync(nameof(HubAccessMatrixShould)), o => o.SendBurst = 1000);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string> TransactionStates() => ["PendingPayment", "Open", "Frozen", "Closed", "ClosedAfterDispute"];

    public static TheoryData<string> DisputeStates() => ["Open", "UnderReview", "Resolved"];

    [Theory]
    [MemberData(nameof(TransactionStates))]
    public async Task Apply_the_policy_to_every_method_and_role_in_a_transaction_chat(string state)
    {
        var (id, buyer, seller, own) = await ArrangeTransactionAsync(state);
        var conversation = await _host.Lifecycle(l => l.RegisterTransactionAsync(id));
        var info = conversation.Conversation;

        foreach (var (token, relation) in new[] { (buyer, ChatRelation.Buyer), (seller, ChatRelation.Seller), (Admin, ChatRelation.Admin), ("outsider-m", ChatRelation.Outsider) })
        {
            await using var client = await ChatClientProbe.ConnectAsync(_host.Connect("transactions", token));
            var target = own.TryGetValue(token, out var mine) ? mine : own[buyer];
            await CheckAllMethodsAsync(client, () => client.Invoke<ChatSnapshot>("Join", id), info.Id, info.Kind, info.State, relation, info.HasDisputeHint(state), target);
        }
    }

    [Theory]
    [MemberData(nameof(DisputeStates))]
    public async Task Apply_the_policy_to_every_method_and_role_in_a_dispute_chat(string state)
    {
        var (id, buyer, seller, _) = await ArrangeTransactionAsync("Open");
        var dispute = (await _host.Lifecycle(l => l.OpenDisputeAsync(id, "d-" + id))).Conversation;
        if (state == "UnderReview")
        {
            await using var joining = await ChatClientProbe.ConnectAsync(_host.Connect("disputes", "admin-first|Admin"));
            await joining.Invoke<ChatSnapshot>("Join", "d-" + id);
        }
        else if (state == "Resolved")
        {
            await _host.Lifecycle(l => l.ResolveDisputeAsync("d-" + id, DisputeOutcome.ResumeTransaction));
        }

        var expectedState = Enum.Parse<ChatState>(state);
        foreach (var (token, relation) in new[] { (buyer, ChatRelation.Buyer), (seller, ChatRelation.Seller), ("outsider-m", ChatRelation.Outsider), (Admin, ChatRelation.Admin) })
        {
            await using var client = await ChatClientProbe.ConnectAsync(_host.Connect("disputes", token));

            // The admin's own first join moves an Open dispute under review; the permissions are the same in both.
            await CheckAllMethodsAsync(
                client, () => client.Invoke<ChatSnapshot>("Join", "d-" + id), dispute.Id, ConversationKind.Dispute, expectedState, relation, false, Guid.NewGuid());
        }
    }

    private static async Task CheckAllMethodsAsync(
        ChatClientProbe client, Func<Task<ChatSnapshot>> join, Guid conversationId, ConversationKind kind, ChatState state,
        ChatRelation relation, bool disputed, Guid targetMessage)
    {
        string Expected(ChatAction action)
        {
            var decision = ChatAccessPolicy.Decide(kind, state, relation, action, disputed);
            return decision.Allowed ? "ok" : decision.Code.ToString()!;
        }

        var joined = await Outcome(join);
        Assert.Equal((relation, "Join", Expected(ChatAction.Read)), (relation, "Join", joined));
        string Gate(ChatAction action) => joined == "ok" ? Expected(action) : "NotJoined";

        var editExpected = Gate(ChatAction.EditOwn);
        var deleteExpected = Gate(ChatAction.DeleteOwn);
        if (editExpected == "ok" && relation is ChatRelation.Admin or ChatRelation.Outsider)
        {
            editExpected = deleteExpected = "NotYourMessage";
        }

        var cases = new (string Method, string Expected, Func<Task> Call)[]
        {
            ("Send", Gate(ChatAction.Write), () => client.Invoke<ChatMessage>("Send", conversationId, Guid.NewGuid(), "matrix")),
            ("History", Gate(ChatAction.Read), () => client.Invoke<ChatHistoryPage>("History", conversationId, null, null, 5)),
            ("MarkRead", Gate(ChatAction.MarkRead), () => client.Invoke<int>("MarkRead", conversationId, 1L)),
            ("Typing", Gate(ChatAction.Typing), () => client.Invoke("Typing", conversationId, true)),
            ("Edit", editExpected, () => client.Invoke<ChatMessage>("Edit", conversationId, targetMessage, "edited")),
            ("Delete", deleteExpected, () => client.Invoke<ChatMessage>("Delete", conversationId, targetMessage)),
        };
        foreach (var (method, designed, call) in cases)
        {
            var actual = await Outcome(call);

            // Edits pass the policy only in open transaction chats; the target there is the caller's own message.
            var expected = designed;

            Assert.Equal((relation, state, method, expected), (relation, state, method, actual));
        }
    }

    private async Task<(string Id, string Buyer, string Seller, Dictionary<string, Guid> Own)> ArrangeTransactionAsync(string state)
    {
        var id = "tx-" + Guid.NewGuid().ToString("N")[..10];
        var (buyer, seller) = ("buyer-" + id, "seller-" + id);
        _host.Parties.Transactions[id] = new TransactionParties(buyer, seller);
        await _host.Lifecycle(l => l.RegisterTransactionAsync(id));
        var own = new Dictionary<string, Guid> { [buyer] = Guid.NewGuid(), [seller] = Guid.NewGuid() };
        if (state == "PendingPayment")
        {
            return (id, buyer, seller, own);
        }

        await _host.Lifecycle(l => l.ConfirmPaymentAsync(id));
        foreach (var party in new[] { buyer, seller })
        {
            await using var client = await ChatClientProbe.ConnectAsync(_host.Connect("transactions", party));
            var chat = await client.Invoke<ChatSnapshot>("Join", id);
            own[party] = (await client.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "mine")).Id;
        }

        switch (state)
        {
            case "Frozen":
                await _host.Lifecycle(l => l.OpenDisputeAsync(id, "d-" + id));
                break;
            case "Closed":
                await _host.Lifecycle(l => l.CompleteAsync(id));
                break;
            case "ClosedAfterDispute":
                await _host.Lifecycle(l => l.OpenDisputeAsync(id, "d-" + id));
                await _host.Lifecycle(l => l.ResolveDisputeAsync("d-" + id, DisputeOutcome.CloseTransaction));
                break;
        }

        return (id, buyer, seller, own);
    }

    private static async Task<string> Outcome(Func<Task> call)
    {
        try
        {
            await call();
            return "ok";
        }
        catch (HubException e)
        {
            return ChatClientProbe.CodeOf(e);
        }
    }
}

internal static class MatrixStates
{
    public static bool HasDisputeHint(this ChatConversationInfo _, string state) => state is "Frozen" or "ClosedAfterDispute";
}
