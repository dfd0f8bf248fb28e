using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Messages;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.IntegrationTests.Hardening;

[Collection(PostgresCollection.Name)]
public sealed class HardeningShould(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly FailingCommands _failing = new();
    private ChatTestHost _host = null!;

    public async Task InitializeAsync()
    {
        var database = await postgres.CreateDatabaseAsync(nameof(HardeningShould));
        // No dispatcher: the planted failure must meet the send's own INSERT, not a background round's.
        _host = await ChatTestHost.StartAsync(
            database,
            o => o.Notifications.DispatcherEnabled = false,
            chat: b => b.Services.ConfigureDbContext<ChatTestDbContext>(o => o.AddInterceptors(_failing)));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<(string Id, string Buyer, string Seller)> NewTransactionAsync(bool paid = false)
    {
        var id = "tx-" + Guid.NewGuid().ToString("N")[..10];
        var (buyer, seller) = ("buyer-" + id, "seller-" + id);
        _host.Parties.Transactions[id] = new TransactionParties(buyer, seller);
        await _host.Lifecycle(l => l.RegisterTransactionAsync(id));
        if (paid)
        {
            await _host.Lifecycle(l => l.ConfirmPaymentAsync(id));
        }

        return (id, buyer, seller);
    }

    private IEnumerable<string> LinesAtWarningOrAbove() =>
        _host.Logs.Lines.Where(l => l.StartsWith("Warning ", StringComparison.Ordinal) || l.StartsWith("Error ", StringComparison.Ordinal)
            || l.StartsWith("Critical ", StringComparison.Ordinal));

    [Fact]
    public async Task Refuse_text_that_can_never_be_stored_in_every_hub_argument_with_InvalidArgument()
    {
        var (id, buyerId, _) = await NewTransactionAsync(paid: true);
        await using var buyer = await ChatClientProbe.ConnectAsync(_host.Connect("transactions", buyerId));
        var chat = await buyer.Invoke<ChatSnapshot>("Join", id);
        var sent = await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "first");

        Assert.Equal("InvalidArgument", await buyer.Refusal("Join", "tx\0nul"));
        Assert.Equal("InvalidArgument", await buyer.Refusal("Join", new string('x', 201)));
        // (A lone surrogate never reaches the hub from this client: its JSON writer replaces it; host calls are checked below.)
        Assert.Equal("InvalidArgument", await buyer.Refusal("SendAttachment", chat.ConversationId, Guid.NewGuid(), "x", null));
        Assert.Equal("InvalidArgument", await buyer.Refusal("Edit", chat.ConversationId, "not-a-guid", "new text"));
        Assert.Equal("InvalidArgument", await buyer.Refusal("History", chat.ConversationId, -1L, null, 10));
        Assert.Equal("InvalidArgument", await buyer.Refusal("Send", "not-a-guid", Guid.NewGuid(), "hello"));
        Assert.Equal("InvalidArgument", await buyer.Refusal("MarkRead", chat.ConversationId, "many"));
        Assert.Equal("InvalidArgument", await buyer.Refusal("History", chat.ConversationId, 1e30, null, 10));

        // The connection keeps serving, and nothing was stored by the refused calls.
        var history = await buyer.Invoke<ChatHistoryPage>("History", chat.ConversationId, null, 0L, 50);
        Assert.Equal(["first"], history.Messages.Where(m => m.Kind == ChatMessageKind.Text).Select(m => m.Text));
        Assert.DoesNotContain(LinesAtWarningOrAbove(), _ => true);
    }

    [Fact]
    public async Task Refuse_malformed_ids_and_numbers_on_the_http_endpoints_with_InvalidArgument()
    {
        using var http = _host.Http("someone");
        foreach (var (method, path) in new[]
                 {
                     (HttpMethod.Get, "/chat/attachments/not-a-guid"),
                     (HttpMethod.Post, "/chat/conversations/12345/attachments"),
                     (HttpMethod.Get, "/chat/notifications?limit=lots"),
                     (HttpMethod.Get, "/chat/notifications?before=-4"),
                     (HttpMethod.Post, "/chat/notifications/first/read"),
                     (HttpMethod.Get, "/chat/conversations?limit=99999999999999999999"),
                 })
        {
            using var response = await http.SendAsync(new HttpRequestMessage(method, path));
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path}: {(int)response.StatusCode}");
            Assert.Equal("InvalidArgument", problem.GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task Refuse_unstorable_ids_in_host_calls_with_InvalidArgument()
    {
        var (id, buyerId, _) = await NewTransactionAsync();

        async Task<ChatErrorCode> CodeOf(Func<Task> call) => (await Assert.ThrowsAsync<ChatException>(call)).Code;

        Assert.Equal(ChatErrorCode.InvalidArgument, await CodeOf(() => _host.Lifecycle(l => l.RegisterTransactionAsync("tx\0"))));
        Assert.Equal(ChatErrorCode.InvalidArgument, await CodeOf(() => _host.Lifecycle(l => l.ConfirmPaymentAsync(id, new ChatEventContext(EventId: "evt\0")))));
        Assert.Equal(ChatErrorCode.InvalidArgument, await CodeOf(() => _host.Lifecycle(l => l.CancelAsync(id, new ChatEventContext(ActorId: "\ud800")))));
        Assert.Equal(ChatErrorCode.InvalidArgument, await CodeOf(() => _host.Lifecycle(l => l.OpenDisputeAsync(id, new string('d', 201)))));
        await using var scope = _host.Services.CreateAsyncScope();
        var messaging = scope.ServiceProvider.GetRequiredService<IChatMessaging>();
        Assert.Equal(ChatErrorCode.InvalidArgument, await CodeOf(() => messaging.GetTransactionViewAsync(new ChatUser(buyerId), "tx\0")));
        Assert.Equal(ChatErrorCode.InvalidArgument, await CodeOf(() => messaging.ListConversationsAsync(new ChatUser("user\0"))));
        Assert.Equal(ChatState.PendingPayment, (await messaging.GetTransactionViewAsync(new ChatUser(buyerId), id)).Conversation.State);
    }

    [Fact]
    public async Task Count_a_thousand_refused_calls_once_each_without_a_single_error_line()
    {
        var (id, buyerId, _) = await NewTransactionAsync();
        await using var buyer = await ChatClientProbe.ConnectAsync(_host.Connect("transactions", buyerId));
        var chat = await buyer.Invoke<ChatSnapshot>("Join", id);
        long refusals = 0;
        var factory = _host.Services.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "marketplace.chat.refusals" && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref refusals, value));
        listener.Start();
        var before = _host.Logs.Lines.Count;

        for (var i = 0; i < 1000; i++)
        {
            var code = (i % 4) switch
            {
                0 => await buyer.Refusal("Typing", Guid.NewGuid(), true),                              // NotJoined
                1 => await buyer.Refusal("Edit", chat.ConversationId, Guid.NewGuid(), "x"),           // MessageNotFound / ChatLocked
                2 => await buyer.Refusal("Join", "tx-that-does-not-exist-" + i),                      // ConversationNotAvailable
                _ => await buyer.Refusal("Send", "not-a-guid", Guid.NewGuid(), "x"),                  // InvalidArgument
            };
            Assert.NotEqual("Unexpected", code);
        }

        listener.RecordObservableInstruments();
        Assert.Equal(1000, Interlocked.Read(ref refusals));
        var lines = _host.Logs.Lines.Skip(before).ToList();
        Assert.DoesNotContain(lines, l => l.StartsWith("Error ", StringComparison.Ordinal) || l.StartsWith("Critical ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("   at ", StringComparison.Ordinal));
        var chatLines = lines.Count(l => !l.StartsWith("Trace ", StringComparison.Ordinal) && l.Contains(" Marketplace.Chat.", StringComparison.Ordinal));
        Assert.True(chatLines < 200, $"the chat wrote {chatLines} lines at Debug or above for 1,000 refusals: they are not rate-limited");
    }

    [Fact]
    public async Task Answer_a_retried_send_without_any_warning_or_error_line()
    {
        var (id, buyerId, _) = await NewTransactionAsync(paid: true);
        await using var buyer = await ChatClientProbe.ConnectAsync(_host.Connect("transactions", buyerId));
        var chat = await buyer.Invoke<ChatSnapshot>("Join", id);
        var messageId = Guid.NewGuid();
        var first = await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, messageId, "once");

        var retried = await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, messageId, "once");

        Assert.Equal(first.Sequence, retried.Sequence);
        Assert.DoesNotContain(LinesAtWarningOrAbove(), _ => true);
    }

    [Fact]
    public async Task Log_an_unexpected_failure_once_at_error_with_the_id_the_client_is_shown()
    {
        var (id, buyerId, _) = await NewTransactionAsync(paid: true);
        await using var buyer = await ChatClientProbe.ConnectAsync(_host.Connect("transactions", buyerId));
        var chat = await buyer.Invoke<ChatSnapshot>("Join", id);
        var sent = await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "before the bug");
        // An edit appends through EF Core, where the interceptor plants the bug (a text send goes through the group
        // commit's own batch, which retries a failed batch send by send).
        _failing.Marker = "INSERT";
        _failing.Arm();

        var error = await Assert.ThrowsAsync<HubException>(() => buyer.Invoke<ChatMessage>("Edit", chat.ConversationId, sent.Id, "boom"));

        var match = System.Text.RegularExpressions.Regex.Match(error.Message, @"HubException: Unexpected: .*\(error id (?<id>[0-9a-f]{12})\)");
        Assert.True(match.Success, error.Message);
        Assert.DoesNotContain("BUG-SECRET-41", error.Message, StringComparison.Ordinal);
        var errors = _host.Logs.Lines.Where(l => l.StartsWith("Error ", StringComparison.Ordinal)).ToList();
        var only = Assert.Single(errors);
        Assert.Contains(match.Groups["id"].Value, only, StringComparison.Ordinal);
        Assert.Contains("BUG-SECRET-41", only, StringComparison.Ordinal);
        Assert.NotNull(await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "still serving"));
    }

    [Fact]
    public async Task Run_the_same_statements_for_a_conversation_that_is_not_yours_and_one_that_does_not_exist()
    {
        await using var harness = await ChatHarness.StartAsync(postgres, name: "equaltime");
        var (transactionId, _, _, _) = await harness.NewTransactionAsync(paid: true);
        var outsider = new ChatUser("outsider");

        async Task<(IReadOnlyList<string> Sql, string Reason)> Attempt(string id)
        {
            await using var scope = harness.Scope();
            var messaging = scope.ServiceProvider.GetRequiredService<IChatMessaging>();
            harness.Commands.Reset();
            var refusal = await Assert.ThrowsAsync<ChatException>(() => messaging.GetTransactionViewAsync(outsider, id));
            Assert.Equal(ChatErrorCode.ConversationNotAvailable, refusal.Code);
            return (harness.Commands.Texts, refusal.Message);
        }

        var notYours = await Attempt(transactionId);
        var missing = await Attempt("tx-missing-" + Guid.NewGuid().ToString("N")[..8]);

        Assert.NotEmpty(notYours.Sql);
        Assert.Equal(notYours.Sql, missing.Sql);
        Assert.Equal(notYours.Reason, missing.Reason);
    }
}
