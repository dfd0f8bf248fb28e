using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Sample.Data;
using Marketplace.Chat.Sample.Payments;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.BrowserTests.Site;

/// <summary>
/// The marketplace's order row and the chat never disagree, whatever races the shop's steps: pay against cancel, two
/// administrators resolving at once, a payment after a cancellation, a payment the chat refuses.
/// </summary>
[Collection(SampleHostGroup.Name)]
public sealed class OrderAndChatShould(SampleHostFixture host)
{
    private const int Tries = 20;

    [Fact]
    public async Task Never_disagree_when_the_buyers_payment_races_the_sellers_cancellation()
    {
        await using var sample = await host.StartAsync();
        using var buyer = await sample.SignedInAsync("camille");
        using var seller = await sample.SignedInAsync("sophie");
        var outcomes = new List<(OrderStatus Order, ChatState Chat)>();
        for (var i = 0; i < Tries; i++)
        {
            var orderId = await BuyAsync(buyer);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var pay = Task.Run(async () => { await gate.Task; return await buyer.PostAsJsonAsync($"/api/fakepay/checkout/{orderId}/pay", new { }); });
            var cancel = Task.Run(async () => { await gate.Task; return await seller.PostAsJsonAsync($"/api/orders/{orderId}/cancel", new { }); });
            gate.SetResult();
            using var paid = await pay.WaitAsync(RunningSample.Timeout);
            using var cancelled = await cancel.WaitAsync(RunningSample.Timeout);

            Assert.True((int)paid.StatusCode < 500, $"pay answered {paid.StatusCode}: {await paid.Content.ReadAsStringAsync()}");
            Assert.True((int)cancelled.StatusCode < 500, $"cancel answered {cancelled.StatusCode}: {await cancelled.Content.ReadAsStringAsync()}");
            var state = await StateAsync(sample, orderId);
            outcomes.Add(state);
            Assert.True(Agree(state.Order, state.Chat), $"try {i}: the order is {state.Order} but the chat is {state.Chat}");
        }

        // Both results are possible; whichever won, the buyer can still act on it (dispute a paid order, or was refunded).
        Assert.All(outcomes, o => Assert.Contains(o.Order, new[] { OrderStatus.Paid, OrderStatus.Cancelled, OrderStatus.Refunded }));
    }

    [Fact]
    public async Task Never_let_the_orders_outcome_contradict_the_chat_when_two_admins_resolve_at_once()
    {
        await using var sample = await host.StartAsync();
        using var buyer = await sample.SignedInAsync("camille");
        using var first = await sample.SignedInAsync("nadia");
        using var second = await sample.SignedInAsync("nadia");
        for (var i = 0; i < Tries; i++)
        {
            var orderId = await BuyAsync(buyer);
            (await buyer.PostAsJsonAsync($"/api/fakepay/checkout/{orderId}/pay", new { })).EnsureSuccessStatusCode();
            using var opened = await buyer.PostAsJsonAsync($"/api/orders/{orderId}/disputes", new { reason = "Never arrived." });
            opened.EnsureSuccessStatusCode();
            var disputeId = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var close = Task.Run(async () => { await gate.Task; return await first.PostAsJsonAsync($"/api/disputes/{disputeId}/resolve", new { outcome = "CloseTransaction" }); });
            var resume = Task.Run(async () => { await gate.Task; return await second.PostAsJsonAsync($"/api/disputes/{disputeId}/resolve", new { outcome = "ResumeTransaction" }); });
            gate.SetResult();
            using var closed = await close.WaitAsync(RunningSample.Timeout);
            using var resumed = await resume.WaitAsync(RunningSample.Timeout);

            var answers = new[] { closed.StatusCode, resumed.StatusCode };
            Assert.Single(answers, HttpStatusCode.NoContent);
            Assert.Single(answers, HttpStatusCode.Conflict);
            var (order, chat) = await StateAsync(sample, orderId);
            await using var scope = sample.Services.CreateAsyncScope();
            var dispute = await scope.ServiceProvider.GetRequiredService<SampleDbContext>().Disputes.AsNoTracking().SingleAsync(d => d.Id == disputeId);
            var winner = closed.StatusCode == HttpStatusCode.NoContent ? DisputeOutcome.CloseTransaction : DisputeOutcome.ResumeTransaction;
            Assert.Equal(winner, dispute.Outcome);
            Assert.Equal(winner == DisputeOutcome.CloseTransaction ? (OrderStatus.Settled, ChatState.Closed) : (OrderStatus.Paid, ChatState.Open), (order, chat));
            var disputeChat = await scope.ServiceProvider.GetRequiredService<IChatMessaging>().GetDisputeViewAsync(new ChatUser("nadia", true), disputeId);
            Assert.Equal(ChatState.Resolved, disputeChat.Conversation.State);
        }
    }

    [Fact]
    public async Task Refund_a_payment_that_arrives_after_the_cancellation_and_answer_the_webhook_without_an_error()
    {
        await using var sample = await host.StartAsync();
        using var buyer = await sample.SignedInAsync("camille");
        var orderId = await BuyAsync(buyer);
        (await buyer.PostAsJsonAsync($"/api/orders/{orderId}/cancel", new { })).EnsureSuccessStatusCode();

        var (eventId, response) = await DeliverPaymentAsync(sample, orderId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Refunded", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        Assert.Equal((OrderStatus.Refunded, ChatState.Closed), await StateAsync(sample, orderId));
        Assert.True(sample.Services.GetRequiredService<FakePayProvider>().IsRefunded(eventId));

        var (_, again) = await DeliverPaymentAsync(sample, orderId, eventId);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal((OrderStatus.Refunded, ChatState.Closed), await StateAsync(sample, orderId));
    }

    [Fact]
    public async Task Reconcile_a_payment_confirmation_the_chat_refuses_instead_of_leaving_the_order_paid()
    {
        await using var sample = await host.StartAsync();
        using var buyer = await sample.SignedInAsync("camille");
        var orderId = await BuyAsync(buyer);
        await using (var scope = sample.Services.CreateAsyncScope())
        {
            // The chat closes without the order row knowing (another system of the host cancelled it).
            await scope.ServiceProvider.GetRequiredService<IChatLifecycle>().CancelAsync(orderId, new ChatEventContext("backoffice"));
        }

        var (eventId, response) = await DeliverPaymentAsync(sample, orderId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((OrderStatus.Refunded, ChatState.Closed), await StateAsync(sample, orderId));
        Assert.True(sample.Services.GetRequiredService<FakePayProvider>().IsRefunded(eventId));
    }

    [Fact]
    public async Task Answer_a_redelivered_payment_for_a_completed_order_without_changing_anything()
    {
        await using var sample = await host.StartAsync();
        using var buyer = await sample.SignedInAsync("camille");
        var orderId = await BuyAsync(buyer);
        var (eventId, first) = await DeliverPaymentAsync(sample, orderId);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        (await buyer.PostAsJsonAsync($"/api/orders/{orderId}/complete", new { })).EnsureSuccessStatusCode();

        var (_, again) = await DeliverPaymentAsync(sample, orderId, eventId);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var body = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(body.GetProperty("chatUnlocked").GetBoolean());
        Assert.False(body.GetProperty("orderUpdated").GetBoolean());
        Assert.Equal((OrderStatus.Completed, ChatState.Closed), await StateAsync(sample, orderId));
    }

    private static bool Agree(OrderStatus order, ChatState chat) => (order, chat) switch
    {
        (OrderStatus.PendingPayment, ChatState.PendingPayment) => true,
        (OrderStatus.Paid, ChatState.Open) => true,
        (OrderStatus.Cancelled or OrderStatus.Refunded or OrderStatus.Completed or OrderStatus.Settled, ChatState.Closed) => true,
        (OrderStatus.Disputed, ChatState.Frozen) => true,
        _ => false,
    };

    private static async Task<string> BuyAsync(HttpClient buyer)
    {
        using var bought = await buyer.PostAsJsonAsync("/api/listings/vase/buy", new { });
        bought.EnsureSuccessStatusCode();
        return (await bought.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>Delivers a signed <c>payment.succeeded</c> to the webhook, as the provider would.</summary>
    private static async Task<(string EventId, HttpResponseMessage Response)> DeliverPaymentAsync(RunningSample sample, string orderId, string? eventId = null)
    {
        eventId ??= "evt_test_" + Guid.NewGuid().ToString("N")[..12];
        var provider = sample.Services.GetRequiredService<FakePayProvider>();
        var (body, signature) = provider.Create(new PaymentEvent(eventId, "payment.succeeded", orderId, 4500));
        using var client = sample.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/fakepay") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add(FakePayProvider.SignatureHeader, signature);
        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return (eventId, response);
    }

    private static async Task<(OrderStatus Order, ChatState Chat)> StateAsync(RunningSample sample, string orderId)
    {
        await using var scope = sample.Services.CreateAsyncScope();
        var order = await scope.ServiceProvider.GetRequiredService<SampleDbContext>().Orders.AsNoTracking().SingleAsync(o => o.Id == orderId);
        var view = await scope.ServiceProvider.GetRequiredService<IChatMessaging>().GetTransactionViewAsync(new ChatUser(order.BuyerId), orderId);
        return (order.Status, view.Conversation.State);
    }
}
