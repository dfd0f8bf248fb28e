using Marketplace.Chat.Access;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.IntegrationTests.Infrastructure;
using Marketplace.Chat.IntegrationTests.Support;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Messages;
using Microsoft.AspNetCore.SignalR.Client;

namespace Marketplace.Chat.IntegrationTests.Hubs;

[Collection(PostgresCollection.Name)]
public sealed class ChatHubsShould(PostgresFixture postgres) : IAsyncLifetime
{
    private ChatTestHost _host = null!;

    public async Task InitializeAsync()
    {
        var database = await postgres.CreateDatabaseAsync(nameof(ChatHubsShould));
        _host = await ChatTestHost.StartAsync(database, o =>
        {
            o.AllowedOrigins.Add("https://shop.example");
            o.MaxMessageLength = 1000;
        });
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

    private Task<ChatClientProbe> ConnectAsync(string hub, string token) => ChatClientProbe.ConnectAsync(_host.Connect(hub, token));

    [Fact]
    public async Task Unlock_both_parties_live_when_payment_is_confirmed_and_carry_messages_both_ways_in_order()
    {
        var (id, buyerId, sellerId) = await NewTransactionAsync();
        await using var buyer = await ConnectAsync("transactions", buyerId);
        await using var seller = await ConnectAsync("transactions", sellerId);
        var snapshot = await buyer.Invoke<ChatSnapshot>("Join", id);
        await seller.Invoke<ChatSnapshot>("Join", id);

        Assert.Equal(ChatState.PendingPayment, snapshot.State);
        Assert.Equal(ParticipantRole.Buyer, snapshot.YourRole);
        Assert.False(snapshot.Permissions[ChatAction.Write].Allowed);
        Assert.Equal(ChatErrorCode.ChatLocked, snapshot.Permissions[ChatAction.Write].Code);
        Assert.Equal("ChatLocked", await buyer.Refusal("Send", snapshot.ConversationId, Guid.NewGuid(), "hello?"));

        await _host.Lifecycle(l => l.ConfirmPaymentAsync(id, new ChatEventContext("payments")));

        var buyerUnlocked = await buyer.States.Next(s => s.To == ChatState.Open);
        var sellerUnlocked = await seller.States.Next(s => s.To == ChatState.Open);
        Assert.Equal(nameof(ChatTrigger.PaymentConfirmed), buyerUnlocked.Trigger);
        Assert.Equal(snapshot.ConversationId, sellerUnlocked.ConversationId);
        var rejoined = await buyer.Invoke<ChatSnapshot>("Join", id);
        Assert.True(rejoined.Permissions[ChatAction.Write].Allowed);

        var sentByBuyer = new List<ChatMessage>();
        var sentBySeller = new List<ChatMessage>();
        for (var i = 0; i < 5; i++)
        {
            sentByBuyer.Add(await buyer.Invoke<ChatMessage>("Send", snapshot.ConversationId, Guid.NewGuid(), $"buyer {i}"));
            sentBySeller.Add(await seller.Invoke<ChatMessage>("Send", snapshot.ConversationId, Guid.NewGuid(), $"seller {i}"));
        }

        var last = sentBySeller[^1].Sequence;
        await buyer.Messages.Next(m => m.Sequence == last);
        await seller.Messages.Next(m => m.Sequence == last);
        var receivedByBuyer = buyer.Messages.All.Where(m => m.Kind == ChatMessageKind.Text).Select(m => m.Text!).ToList();
        var receivedBySeller = seller.Messages.All.Where(m => m.Kind == ChatMessageKind.Text).Select(m => m.Text!).ToList();
        var expected = Enumerable.Range(0, 5).SelectMany(i => new[] { $"buyer {i}", $"seller {i}" }).ToList();
        Assert.Equal(expected, receivedByBuyer);
        Assert.Equal(expected, receivedBySeller);
        Assert.All(sentBySeller, m => Assert.Equal(ParticipantRole.Seller, m.SenderRole));
        Assert.All(sentByBuyer, m => Assert.Equal(buyerId, m.SenderId));
    }

    [Fact]
    public async Task Freeze_the_transaction_chat_live_when_a_dispute_opens_and_announce_an_admin_joining()
    {
        var (id, buyerId, sellerId) = await NewTransactionAsync(paid: true);
        await using var buyer = await ConnectAsync("transactions", buyerId);
        var chat = await buyer.Invoke<ChatSnapshot>("Join", id);

        await _host.Lifecycle(l => l.OpenDisputeAsync(id, "d-" + id, new ChatEventContext(buyerId)));

        var frozen = await buyer.States.Next(s => s.To == ChatState.Frozen);
        Assert.Equal("the chat is frozen while a dispute is open", frozen.Explanation);
        Assert.Equal("ChatFrozen", await buyer.Refusal("Send", chat.ConversationId, Guid.NewGuid(), "too late"));

        await using var buyerInDispute = await ConnectAsync("disputes", buyerId);
        await using var seller = await ConnectAsync("disputes", sellerId);
        var dispute = await buyerInDispute.Invoke<ChatSnapshot>("Join", "d-" + id);
        await seller.Invoke<ChatSnapshot>("Join", "d-" + id);
        await using var admin = await ConnectAsync("disputes", "admin-7|Admin");
        var adminView = await admin.Invoke<ChatSnapshot>("Join", "d-" + id);

        Assert.Equal(ParticipantRole.Admin, adminView.YourRole);
        Assert.Equal(ChatState.UnderReview, adminView.State);
        var joined = await buyerInDispute.Joined.Next();
        Assert.Equal(("admin-7", ParticipantRole.Admin), (joined.UserId, joined.Role));
        await buyerInDispute.States.Next(s => s.To == ChatState.UnderReview);
        var announcement = await seller.Messages.Next(m => m.SystemCode == nameof(ChatTrigger.AdminJoined));
        Assert.Equal(dispute.ConversationId, announcement.ConversationId);

        var fromAdmin = await admin.Invoke<ChatMessage>("Send", dispute.ConversationId, Guid.NewGuid(), "Please send photos of the parcel.");
        Assert.Equal(ParticipantRole.Admin, (await buyerInDispute.Messages.Next(m => m.Id == fromAdmin.Id)).SenderRole);
        await seller.Messages.Next(m => m.Id == fromAdmin.Id);

        await using var adminReadingEvidence = await ConnectAsync("transactions", "admin-7|Admin");
        var evidence = await adminReadingEvidence.Invoke<ChatSnapshot>("Join", id);
        Assert.Equal(ParticipantRole.Admin, evidence.YourRole);
        Assert.NotEmpty(evidence.Messages);
        Assert.Equal("ReadOnly", await adminReadingEvidence.Refusal("Send", evidence.ConversationId, Guid.NewGuid(), "no"));
    }

    [Fact]
    public async Task Refuse_an_anonymous_connection_and_an_outsider_on_every_method()
    {
        var (id, _, _) = await NewTransactionAsync(paid: true);
        var conversation = (await _host.Lifecycle(l => l.RegisterTransactionAsync(id))).Conversation.Id;

        await using var anonymous = _host.Connect("transactions", token: null);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        anonymous.Closed += e => { closed.TrySetResult(e); return Task.CompletedTask; };
        string anonymousError;
        try
        {
            await anonymous.StartAsync().WaitAsync(ChatClientProbe.Timeout);
            anonymousError = (await closed.Task.WaitAsync(ChatClientProbe.Timeout))?.Message ?? "";
        }
        catch (Exception e) when (e is not TimeoutException)
        {
            anonymousError = e.Message;
        }

        Assert.Contains("AuthenticationRequired", anonymousError, StringComparison.Ordinal);

        await using var outsider = await ConnectAsync("transactions", "mallory");
        Assert.Equal("ConversationNotAvailable", await outsider.Refusal("Join", id));
        Assert.Equal("ConversationNotAvailable", await outsider.Refusal("Join", "tx-does-not-exist"));
        Assert.Equal("NotJoined", await outsider.Refusal("Send", conversation, Guid.NewGuid(), "hi"));
        Assert.Equal("NotJoined", await outsider.Refusal("History", conversation, null, null, 10));
        Assert.Equal("NotJoined", await outsider.Refusal("MarkRead", conversation, 1L));
        Assert.Equal("NotJoined", await outsider.Refusal("Typing", conversation, true));
        Assert.Equal("NotJoined", await outsider.Refusal("Edit", conversation, Guid.NewGuid(), "x"));
        Assert.Equal("NotJoined", await outsider.Refusal("Delete", conversation, Guid.NewGuid()));
        await using var outsiderInDisputes = await ConnectAsync("disputes", "mallory");
        Assert.Equal("ConversationNotAvailable", await outsiderInDisputes.Refusal("Join", "d-none"));
    }

    [Fact]
    public async Task Refuse_a_browser_connection_from_a_foreign_origin_and_accept_the_own_and_allowed_ones()
    {
        var (_, buyerId, _) = await NewTransactionAsync();

        var hijack = _host.Connect("transactions", buyerId, o => o.SetRequestHeader("Origin", "https://evil.example"));
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => hijack.StartAsync().WaitAsync(ChatClientProbe.Timeout));
        Assert.IsNotType<TimeoutException>(refused);
        Assert.Contains("403", refused.ToString(), StringComparison.Ordinal);
        await hijack.DisposeAsync();

        var own = $"http://{_host.BaseUrl.Authority}";
        await using var sameSite = await ChatClientProbe.ConnectAsync(_host.Connect("transactions", buyerId, o => o.SetRequestHeader("Origin", own)));
        await using var allowed = await ChatClientProbe.ConnectAsync(_host.Connect("transactions", buyerId, o => o.SetRequestHeader("Origin", "https://shop.example")));
        Assert.Equal(HubConnectionState.Connected, sameSite.Connection.State);
        Assert.Equal(HubConnectionState.Connected, allowed.Connection.State);
    }

    [Fact]
    public async Task Fill_the_gap_after_a_dropped_connection_and_store_a_retried_send_once()
    {
        var (id, buyerId, sellerId) = await NewTransactionAsync(paid: true);
        var buyerSockets = new WebSocketConnectionFactory(o => o.SetRequestHeader("X-Probe", "reconnect"));
        await using var buyer = await ChatClientProbe.ConnectAsync(_host.Connect("transactions", buyerId, factory: buyerSockets, reconnect: true));
        await using var seller = await ConnectAsync("transactions", sellerId);
        var chat = await buyer.Invoke<ChatSnapshot>("Join", id);
        await seller.Invoke<ChatSnapshot>("Join", id);
        var retried = Guid.NewGuid();
        var original = await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, retried, "sent just before the drop");
        var lastSeen = original.Sequence;
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        buyer.Connection.Reconnected += _ => { reconnected.TrySetResult(); return Task.CompletedTask; };

        Assert.Equal(1, buyerSockets.AbortAll());
        for (var i = 0; i < 3; i++)
        {
            await seller.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), $"while you were away {i}");
        }

        await reconnected.Task.WaitAsync(ChatClientProbe.Timeout);
        await buyer.Invoke<ChatSnapshot>("Join", id);
        var gap = await buyer.Invoke<ChatHistoryPage>("History", chat.ConversationId, null, lastSeen, 100);
        var again = await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, retried, "sent just before the drop");

        Assert.Equal(["while you were away 0", "while you were away 1", "while you were away 2"], gap.Messages.Select(m => m.Text));
        Assert.Equal(Enumerable.Range(1, 3).Select(i => lastSeen + i), gap.Messages.Select(m => m.Sequence));
        Assert.Equal(original, again);
        var all = await buyer.Invoke<ChatHistoryPage>("History", chat.ConversationId, null, 0L, 100);
        Assert.Single(all.Messages, m => m.Id == retried);
        Assert.Equal(2, buyerSockets.ConnectCount);
    }

    [Fact]
    public async Task Relay_typing_and_read_receipts_and_presence_to_the_other_party()
    {
        var (id, buyerId, sellerId) = await NewTransactionAsync(paid: true);
        await using var buyer = await ConnectAsync("transactions", buyerId);
        var chat = await buyer.Invoke<ChatSnapshot>("Join", id);
        await using var seller = await ConnectAsync("transactions", sellerId);
        var sellerSnapshot = await seller.Invoke<ChatSnapshot>("Join", id);

        Assert.Contains(buyerId, sellerSnapshot.Online);
        var online = await buyer.Presence.Next(p => p.UserId == sellerId);
        Assert.True(online.IsOnline);

        await seller.Invoke("Typing", chat.ConversationId, true);
        var typing = await buyer.Typing.Next();
        Assert.Equal((sellerId, true), (typing.UserId, typing.IsTyping));

        var message = await seller.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "Shipped today.");
        var unread = await buyer.Invoke<int>("MarkRead", chat.ConversationId, message.Sequence);
        var receipt = await seller.Receipts.Next(r => r.UserId == buyerId);
        Assert.Equal(0, unread);
        Assert.Equal(message.Sequence, receipt.Sequence);

        await seller.Invoke("Leave", chat.ConversationId);
        var offline = await buyer.Presence.Next(p => p.UserId == sellerId && !p.IsOnline);
        Assert.False(offline.IsOnline);
    }

    [Fact]
    public async Task Push_edits_and_deletes_to_the_other_party()
    {
        var (id, buyerId, sellerId) = await NewTransactionAsync(paid: true);
        await using var buyer = await ConnectAsync("transactions", buyerId);
        await using var seller = await ConnectAsync("transactions", sellerId);
        var chat = await buyer.Invoke<ChatSnapshot>("Join", id);
        await seller.Invoke<ChatSnapshot>("Join", id);
        var message = await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "I pay 500");

        await buyer.Invoke<ChatMessage>("Edit", chat.ConversationId, message.Id, "I pay 50");
        var edited = await seller.Changes.Next(m => m.Id == message.Id);
        Assert.Equal("NotYourMessage", await seller.Refusal("Edit", chat.ConversationId, message.Id, "mine now"));
        await buyer.Invoke<ChatMessage>("Delete", chat.ConversationId, message.Id);
        var deleted = await seller.Changes.Next(m => m.Id == message.Id && m.IsDeleted);

        Assert.Equal("I pay 50", edited.Text);
        Assert.Null(deleted.Text);
        Assert.Equal("MessageNotFound", await buyer.Refusal("Edit", chat.ConversationId, message.Id, "undelete"));
    }

    [Fact]
    public async Task Refuse_text_past_the_limit_and_never_leak_server_errors()
    {
        var (id, buyerId, _) = await NewTransactionAsync(paid: true);
        await using var buyer = await ConnectAsync("transactions", buyerId);
        var chat = await buyer.Invoke<ChatSnapshot>("Join", id);

        Assert.Equal("MessageTooLong", await buyer.Refusal("Send", chat.ConversationId, Guid.NewGuid(), new string('x', 1001)));
        Assert.Equal("MessageEmpty", await buyer.Refusal("Send", chat.ConversationId, Guid.NewGuid(), "   "));
        Assert.Equal("InvalidArgument", await buyer.Refusal("Send", chat.ConversationId, Guid.Empty, "no id"));
        Assert.Equal("InvalidArgument", await buyer.Refusal("History", chat.ConversationId, 5L, 1L, 10));
    }

    [Fact]
    public async Task Not_write_the_access_token_into_any_log_line()
    {
        var (id, buyerId, _) = await NewTransactionAsync(paid: true);
        const string secret = "SECRET-7d1f0c3a";
        await using var buyer = await ConnectAsync("transactions", buyerId + "|" + secret);
        var chat = await buyer.Invoke<ChatSnapshot>("Join", id);
        await buyer.Invoke<ChatMessage>("Send", chat.ConversationId, Guid.NewGuid(), "hello");
        await buyer.Refusal("Send", chat.ConversationId, Guid.NewGuid(), "");

        Assert.NotEmpty(_host.Logs.Lines);
        Assert.DoesNotContain(_host.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
    }
}
