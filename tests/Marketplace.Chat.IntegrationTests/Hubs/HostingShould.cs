using Marketplace.Chat.Conversations;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Messages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.IntegrationTests.Hubs;

[Collection(PostgresCollection.Name)]
public sealed class HostingShould(PostgresFixture postgres)
{
    [Fact]
    public async Task Give_the_same_answers_from_two_servers_on_one_database()
    {
        var database = await postgres.CreateDatabaseAsync("scaleout");
        var parties = new TestParties();
        await using var first = await ChatTestHost.StartAsync(database, parties: parties);
        await using var second = await ChatTestHost.StartAsync(database, parties: parties, createSchema: false);
        parties.Transactions["tx-two"] = new TransactionParties("b-two", "s-two");
        await first.Lifecycle(l => l.RegisterTransactionAsync("tx-two"));
        await using var buyer = await ChatClientProbe.ConnectAsync(first.Connect("transactions", "b-two"));
        await using var seller = await ChatClientProbe.ConnectAsync(second.Connect("transactions", "s-two"));
        var chat = await buyer.Invoke<ChatSnapshot>("Join", "tx-two");

        await second.Lifecycle(l => l.ConfirmPaymentAsync("tx-two"));
        var fromFirst = await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "sent through server one");
        var onSecond = await seller.Invoke<ChatSnapshot>("Join", "tx-two");
        var fromSecond = await seller.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "sent through server two");
        var history = await buyer.Invoke<ChatHistoryPage>("History", chat.ConversationId, null, 0L, 50);

        Assert.Equal(ChatState.Open, onSecond.State);
        Assert.Contains(onSecond.Messages, m => m.Id == fromFirst.Id);
        Assert.Equal(fromFirst.Sequence + 1, fromSecond.Sequence);
        Assert.Equal(["sent through server one", "sent through server two"], history.Messages.Where(m => m.Kind == ChatMessageKind.Text).Select(m => m.Text));
    }

    [Fact]
    public async Task Refuse_sends_past_the_per_user_rate_with_a_clear_code()
    {
        var database = await postgres.CreateDatabaseAsync("ratelimit");
        await using var host = await ChatTestHost.StartAsync(database, o => { o.SendBurst = 3; o.MaxSendsPerSecond = 0.2; });
        host.Parties.Transactions["tx-rl"] = new TransactionParties("b-rl", "s-rl");
        await host.Lifecycle(l => l.RegisterTransactionAsync("tx-rl"));
        await host.Lifecycle(l => l.ConfirmPaymentAsync("tx-rl"));
        await using var buyer = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "b-rl"));
        var chat = await buyer.Invoke<ChatSnapshot>("Join", "tx-rl");

        for (var i = 0; i < 3; i++)
        {
            await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), $"burst {i}");
        }

        Assert.Equal("RateLimited", await buyer.Refusal("Send", chat.ConversationId, Guid.NewGuid(), "one too many"));
        var stored = await buyer.Invoke<ChatHistoryPage>("History", chat.ConversationId, null, 0L, 50);
        Assert.Equal(3, stored.Messages.Count(m => m.Kind == ChatMessageKind.Text));
        await using var seller = await ChatClientProbe.ConnectAsync(host.Connect("transactions", "s-rl"));
        await seller.Invoke<ChatSnapshot>("Join", "tx-rl");
        await seller.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "the seller has a bucket of their own");
    }

    [Fact]
    public async Task Read_the_user_id_of_http_requests_from_the_configured_claim()
    {
        var database = await postgres.CreateDatabaseAsync("claims");
        await using var byName = await ChatTestHost.StartAsync(database, o => o.UserIdClaimType = System.Security.Claims.ClaimTypes.Name);
        await using var byMissingClaim = await ChatTestHost.StartAsync(database, o => o.UserIdClaimType = "tenant_user", createSchema: false);

        using var named = byName.Http("someone");
        using var unnamed = byMissingClaim.Http("someone");

        Assert.Equal(System.Net.HttpStatusCode.OK, (await named.GetAsync("/chat/notifications/unread-count")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await unnamed.GetAsync("/chat/notifications/unread-count")).StatusCode);
    }

    [Fact]
    public void Fail_mapping_without_registration_with_the_fix_in_the_message()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapMarketplaceChat());

        Assert.Contains("AddMarketplaceChat", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no-store", "AddEntityFrameworkStores<YourDbContext>()")]
    [InlineData("no-resolver", "AddTransactionPartyResolver<YourResolver>()")]
    [InlineData("no-model", "Call modelBuilder.AddMarketplaceChat() in BareDbContext.OnModelCreating")]
    [InlineData("bad-options", "ChatOptions.MaxMessageLength")]
    [InlineData("no-log-key", "AddMarketplaceChat(...).AddLogKey(\"key-id\", keyBytes)")]
    public async Task Fail_at_start_up_when_a_step_is_missing_naming_the_call_that_fixes_it(string mistake, string fix)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddDbContext<BareDbContext>(o => o.UseNpgsql("Host=127.0.0.1;Database=unused"));
        builder.Services.AddDbContext<ChatTestDbContext>(o => o.UseNpgsql("Host=127.0.0.1;Database=unused"));
        var chat = builder.Services.AddMarketplaceChat(o => o.MaxMessageLength = mistake == "bad-options" ? 0 : 4000);
        if (mistake != "no-store")
        {
            if (mistake == "no-model")
            {
                chat.AddEntityFrameworkStores<BareDbContext>();
            }
            else
            {
                chat.AddEntityFrameworkStores<ChatTestDbContext>();
            }
        }

        if (mistake != "no-resolver")
        {
            chat.AddTransactionPartyResolver<TestParties>();
        }

        if (mistake != "no-log-key")
        {
            chat.AddLogKey(TestLogKeys.CurrentId, TestLogKeys.Current);
        }

        await using var app = builder.Build();

        // Mapping reads the options (hub limits), so invalid options may already fail there; the rest fail on start.
        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
        {
            app.MapMarketplaceChat();
            return app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        });

        Assert.True(error is InvalidOperationException or OptionsValidationException, error.GetType().Name);
        Assert.Contains(fix, error.Message, StringComparison.Ordinal);
    }

    /// <summary>A host's context that forgot to add the chat model.</summary>
    public sealed class BareDbContext(DbContextOptions<BareDbContext> options) : DbContext(options);
}
