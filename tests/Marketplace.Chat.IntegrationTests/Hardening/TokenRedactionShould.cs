using Marketplace.Chat.Conversations;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Messages;
using Microsoft.Extensions.Configuration;

namespace Marketplace.Chat.IntegrationTests.Hardening;

[Collection(PostgresCollection.Name)]
public sealed class TokenRedactionShould(PostgresFixture postgres)
{
    [Theory]
    [InlineData("Logging:Marketplace.Chat.IntegrationTests.Support.CapturedLogs:LogLevel:Default")]
    [InlineData("Logging:Marketplace.Chat.IntegrationTests.Support.CapturedLogs:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics")]
    [InlineData("Logging:LogLevel:Microsoft.AspNetCore.Hosting")]
    public async Task Keep_the_access_token_out_of_the_logs_whatever_level_the_host_configures(string setting)
    {
        var database = await postgres.CreateDatabaseAsync("tokens");
        await using var host = await ChatTestHost.StartAsync(
            database, host: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [setting] = "Trace" }));
        host.Parties.Transactions["tx-tok"] = new TransactionParties("b-tok", "s-tok");
        await host.Lifecycle(l => l.RegisterTransactionAsync("tx-tok"));
        await host.Lifecycle(l => l.ConfirmPaymentAsync("tx-tok"));
        const string secret = "SECRET-0b5e7a19";

        await using (var buyer = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "b-tok|" + secret)))
        {
            var chat = await buyer.Invoke<ChatSnapshot>("Join", "tx-tok");
            await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "hello");
        }

        Assert.Contains(host.Logs.Lines, l => l.Contains("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains(secret, StringComparison.Ordinal));
    }
}
