using Marketplace.Chat.Conversations;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Limits;
using Marketplace.Chat.Messages;

namespace Marketplace.Chat.IntegrationTests.Limits;

/// <summary>
/// Floods one hub method or endpoint until its budget refuses: shared by the in-process suite and the Redis suite, so
/// both stores answer the same way. Every budget is <see cref="Burst"/> calls with (practically) no refill.
/// </summary>
internal static class BudgetFloods
{
    public const int Burst = 3;

    public static readonly TheoryData<string> Methods = new() { "Send", "SendAttachment", "Edit", "Delete", "Typing", "MarkRead", "Join", "History", "Notifications", "Download" };

    /// <summary>Gives every budget a burst of <see cref="Burst"/> and a refill of one call per ~3 hours, except what the setup needs.</summary>
    public static void Tight(ChatOptions o, string method)
    {
        foreach (var budget in Enum.GetValues<ChatBudget>())
        {
            var rule = o.Limits.RuleOf(budget);
            rule.Burst = Burst;
            rule.PerSecond = 0.0001;
        }

        // Edits and deletions need messages to act on: the setup sends a few.
        if (method is "Edit" or "Delete")
        {
            o.Limits.Sends.Burst = 10;
        }
    }

    /// <summary>Calls the method <see cref="Burst"/> times (each accepted), then once more, and returns the code of that last answer.</summary>
    public static async Task<string> FloodAsync(ChatTestHost host, string method, string tag)
    {
        var transaction = "tx-flood-" + tag;
        host.Parties.Transactions[transaction] = new TransactionParties("b-flood-" + tag, "s-flood-" + tag);
        await host.Lifecycle(l => l.RegisterTransactionAsync(transaction));
        await host.Lifecycle(l => l.ConfirmPaymentAsync(transaction));
        if (method is "Notifications" or "Download")
        {
            using var http = host.Http("b-flood-" + tag);
            var url = new Uri(method == "Download" ? $"/chat/attachments/{Guid.NewGuid()}" : "/chat/notifications", UriKind.Relative);
            for (var i = 0; i < Burst; i++)
            {
                // A download of nothing is refused for that (404) but charged all the same.
                Assert.Equal(method == "Download" ? 404 : 200, (int)(await http.GetAsync(url)).StatusCode);
            }

            var refused = await http.GetAsync(method == "Download" ? url : new Uri("/chat/notifications/unread-count", UriKind.Relative));
            Assert.Equal(429, (int)refused.StatusCode);
            var problem = await refused.Content.ReadAsStringAsync();
            return System.Text.Json.JsonDocument.Parse(problem).RootElement.GetProperty("code").GetString()!;
        }

        await using var buyer = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "b-flood-" + tag));
        var chat = await buyer.Invoke<ChatSnapshot>("Join", transaction);
        var messages = new List<ChatMessage>();
        if (method is "Edit" or "Delete")
        {
            for (var i = 0; i <= Burst; i++)
            {
                messages.Add(await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), $"message {i}"));
            }
        }

        var c = chat.ConversationId;
        Func<int, object?[]> args = method switch
        {
            "Send" => _ => [c, Guid.NewGuid(), "flood"],
            "SendAttachment" => _ => [c, Guid.NewGuid(), Guid.NewGuid(), null],
            "Edit" => i => [c, messages[0].Id, $"edit {i}"],
            "Delete" => i => [c, messages[i].Id],
            "Typing" => i => [c, i % 2 == 0],
            "MarkRead" => _ => [c, 0L],
            "Join" => _ => [transaction],
            "History" => _ => [c, null, null, 10],
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
        };

        // Join's budget already paid for the join above: one fewer call fits in it.
        var accepted = method == "Join" ? Burst - 1 : Burst;
        for (var i = 0; i < accepted; i++)
        {
            if (method == "SendAttachment")
            {
                // No such upload: refused for that, but charged: a flood of bad sends costs the sender too.
                Assert.Equal("AttachmentNotAvailable", await buyer.Refusal(method, args(i)));
            }
            else
            {
                await buyer.Invoke(method, args(i));
            }
        }

        return await buyer.Refusal(method, args(accepted));
    }
}
