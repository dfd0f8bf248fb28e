using System.Text.Json;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Messages;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Marketplace.Chat.IntegrationTests.Node;

/// <summary>
/// The hubs as a browser app meets them: the official @microsoft/signalr JavaScript client, run under Node by
/// tests/node/exchange.mjs, chats as buyer and seller against a real host. Needs node and tests/node/node_modules,
/// which scripts/prerequisites.sh installs; without them the test fails (it never skips).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class NodeClientShould(PostgresFixture postgres, ITestOutputHelper log)
{
    private const string BuyerText = "Bonjour";
    private const string SellerText = "Bonjour, l'article est disponible";
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Exchange_messages_with_the_official_javascript_client()
    {
        var root = NodeProcess.RepositoryRoot();
        Assert.True(NodeProcess.FindOnPath("node") is not null, "Node.js (`node`) is not on the PATH. " + NodeProcess.Prerequisites);

        var scripts = Path.Combine(root, "tests", "node");
        Assert.True(
            File.Exists(Path.Combine(scripts, "node_modules", "@microsoft", "signalr", "package.json")),
            $"{scripts}/node_modules has no @microsoft/signalr. " + NodeProcess.Prerequisites);

        await using var host = await ChatTestHost.StartAsync(await postgres.CreateDatabaseAsync(nameof(NodeClientShould)));
        var id = "tx-" + Guid.NewGuid().ToString("N")[..10];
        var (buyerId, sellerId) = ("buyer-" + id, "seller-" + id);
        host.Parties.Transactions[id] = new TransactionParties(buyerId, sellerId);
        var conversationId = (await host.Lifecycle(l => l.RegisterTransactionAsync(id))).Conversation.Id;

        var confirmations = 0;
        var run = await NodeProcess.RunAsync(scripts, ["exchange.mjs", host.BaseUrl.ToString(), id, buyerId, sellerId], ScriptTimeout, async line =>
        {
            if (line == "READY")
            {
                Interlocked.Increment(ref confirmations);
                await host.Lifecycle(l => l.ConfirmPaymentAsync(id));
            }
        });

        log.WriteLine(run.Describe());
        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.True(confirmations == 1, "The script printed READY " + confirmations + " times. " + run.Describe());
        var resultLine = run.Output.SingleOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        Assert.True(resultLine is not null, "No RESULT line. " + run.Describe());
        using var result = JsonDocument.Parse(resultLine["RESULT ".Length..]);
        var summary = result.RootElement;

        Assert.Equal(conversationId, summary.GetProperty("conversationId").GetGuid());
        Assert.Equal("WebSocketTransport", summary.GetProperty("transport").GetString());
        Assert.True(summary.GetProperty("negotiated").GetBoolean(), "The client connected without negotiating.");
        Assert.Equal(0, summary.GetProperty("reconnects").GetInt32());
        Assert.Equal("ChatLocked", summary.GetProperty("refusal").GetProperty("code").GetString());
        Assert.Equal("PaymentConfirmed", summary.GetProperty("unlocked").GetProperty("seller").GetString());
        (string Text, string Sender)[] expected = [(BuyerText, buyerId), (SellerText, sellerId)];
        foreach (var party in new[] { "buyer", "seller" })
        {
            var received = summary.GetProperty(party).GetProperty("texts").EnumerateArray()
                .Select(m => (m.GetProperty("text").GetString()!, m.GetProperty("senderId").GetString()!))
                .ToArray();
            Assert.Equal(expected, received);
        }

        var sellerSequence = summary.GetProperty("seller").GetProperty("texts")[1].GetProperty("sequence").GetInt64();
        var receipt = summary.GetProperty("readReceipt");
        Assert.Equal(buyerId, receipt.GetProperty("userId").GetString());
        Assert.Equal(sellerSequence, receipt.GetProperty("sequence").GetInt64());
        Assert.Equal(0, summary.GetProperty("unread").GetInt32());

        // What the JavaScript client saw is what the server stored.
        await using var scope = host.Services.CreateAsyncScope();
        var history = await scope.ServiceProvider.GetRequiredService<IChatMessaging>()
            .GetHistoryAsync(new ChatUser(buyerId), conversationId, new HistoryQuery(AfterSequence: 0));
        var stored = history.Messages.Where(m => m.Kind == ChatMessageKind.Text).Select(m => (m.Text, m.SenderId, m.SenderRole)).ToArray();
        Assert.Equal([(BuyerText, buyerId, ParticipantRole.Buyer), (SellerText, sellerId, ParticipantRole.Seller)], stored);
        Assert.Equal(sellerSequence, history.Messages.Single(m => m.Text == SellerText).Sequence);
    }
}
