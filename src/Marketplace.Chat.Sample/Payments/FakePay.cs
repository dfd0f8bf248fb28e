using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Marketplace.Chat.Sample.Chat;
using Marketplace.Chat.Sample.Hosting;
using Marketplace.Chat.Sample.Accounts;
using Marketplace.Chat.Sample.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Sample.Payments;

/// <summary>Configures the fake payment provider and the host's webhook.</summary>
public sealed class FakePayOptions
{
    /// <summary>Gets or sets the secret the provider signs webhooks with; a random one per start when not configured.</summary>
    public string WebhookSecret { get; set; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
}

/// <summary>A payment event as the provider sends it to the host's webhook.</summary>
/// <param name="Id">The provider's event id: re-deliveries carry the same one.</param>
/// <param name="Type">What happened; only <c>payment.succeeded</c> is handled.</param>
/// <param name="OrderId">The host's order the payment is for.</param>
/// <param name="AmountCents">The amount captured.</param>
public sealed record PaymentEvent(string Id, string Type, string OrderId, int AmountCents);

/// <summary>
/// A stand-in for a payment provider ("FakePay"): a checkout page and the provider's side that, once the buyer pays,
/// signs a <see cref="PaymentEvent"/> and delivers it to the host's webhook, exactly as a real provider would call back.
/// Delivered events are kept so the checkout page can re-deliver one and show that the chat handles a retried webhook once.
/// </summary>
public sealed class FakePayProvider(IOptions<FakePayOptions> options)
{
    /// <summary>The header carrying the HMAC-SHA256 of the body.</summary>
    public const string SignatureHeader = "FakePay-Signature";

    private readonly ConcurrentDictionary<string, (string Body, string Signature)> _delivered = new();

    /// <summary>Signs a body with the webhook secret.</summary>
    public string Sign(string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.Value.WebhookSecret), Encoding.UTF8.GetBytes(body)));

    /// <summary>Checks a webhook's signature in constant time.</summary>
    public bool Verify(string body, string? signature) =>
        signature is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(body)), Encoding.ASCII.GetBytes(signature));

    /// <summary>Records a new event and returns its body and signature.</summary>
    public (string Body, string Signature) Create(PaymentEvent paymentEvent)
    {
        var body = JsonSerializer.Serialize(paymentEvent, JsonSerializerOptions.Web);
        var delivery = (body, Sign(body));
        _delivered[paymentEvent.Id] = delivery;
        return delivery;
    }

    /// <summary>Finds a delivered event for re-delivery.</summary>
    public (string Body, string Signature)? Find(string eventId) => _delivered.TryGetValue(eventId, out var d) ? d : null;

    /// <summary>Gives a captured payment back to the buyer (the stand-in for the provider's refund API); refunding twice changes nothing.</summary>
    public void Refund(string eventId) => _refunded.TryAdd(eventId, true);

    /// <summary>Tells whether a payment was refunded.</summary>
    public bool IsRefunded(string eventId) => _refunded.ContainsKey(eventId);

    private readonly ConcurrentDictionary<string, bool> _refunded = new();
}

/// <summary>
/// The host's payment webhook: verifies the provider's signature and hands the payment to <see cref="OrderChat"/>, which
/// records it on the order and unlocks the chat, or refunds it when the order was cancelled first. Never a server error for
/// a valid event: every outcome is an answer the provider does not need to retry.
/// </summary>
public sealed partial class PaymentWebhook(SampleDbContext db, OrderChat orders, FakePayProvider provider, ILogger<PaymentWebhook> logger)
{
    /// <summary>Handles one delivery; safe to call again with the same event (the chat and the order change once).</summary>
    public async Task<IResult> HandleAsync(string body, string? signature, CancellationToken ct)
    {
        if (!provider.Verify(body, signature))
        {
            return Problems.Refuse(StatusCodes.Status401Unauthorized, "BadSignature", "The webhook signature does not match.");
        }

        PaymentEvent? paymentEvent;
        try
        {
            paymentEvent = JsonSerializer.Deserialize<PaymentEvent>(body, JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            paymentEvent = null;
        }

        if (paymentEvent is null || paymentEvent.Type != "payment.succeeded")
        {
            return Results.Ok(new { Handled = false });
        }

        if (!InputValidation.IsValidText(paymentEvent.Id) || !InputValidation.IsValidText(paymentEvent.OrderId))
        {
            return InputValidation.Invalid();
        }

        var order = await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.Id == paymentEvent.OrderId, ct);
        if (order is null || order.AmountCents != paymentEvent.AmountCents)
        {
            return Problems.Refuse(StatusCodes.Status422UnprocessableEntity, "PaymentMismatch", "No order matches this payment.");
        }

        var result = await orders.PaymentSucceededAsync(order.Id, paymentEvent.Id, ct);
        if (result.Outcome is not PaymentOutcome.Paid)
        {
            provider.Refund(paymentEvent.Id);
        }

        LogPayment(logger, paymentEvent.Id, order.Id, result.Outcome);
        return Results.Ok(new { Handled = true, result.Outcome, ChatUnlocked = result.ChatChanged, OrderUpdated = result.OrderChanged });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Payment event {EventId} for order {OrderId} handled: {Outcome}.")]
    private static partial void LogPayment(ILogger logger, string eventId, string orderId, PaymentOutcome outcome);
}

/// <summary>Maps the provider's checkout API and the host's webhook.</summary>
public static class FakePayEndpoints
{
    /// <summary>Maps <c>/api/fakepay/*</c> (the provider, behind sign-in) and <c>/webhooks/fakepay</c> (the host's webhook, anonymous as webhooks are).</summary>
    public static void MapFakePay(this IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
        var checkout = api.MapGroup("/fakepay");

        checkout.MapGet("/checkout/{orderId}", async (string orderId, ClaimsPrincipal principal, SampleDbContext db, FakePayProvider provider, CancellationToken ct) =>
        {
            var order = await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.Id == orderId && o.BuyerId == principal.UserId(), ct);
            if (order is null)
            {
                return Problems.Refuse(StatusCodes.Status404NotFound, "NotAvailable", "This order does not exist or is not yours.");
            }

            var seller = await db.Users.AsNoTracking().Where(u => u.Id == order.SellerId).Select(u => u.DisplayName).SingleAsync(ct);
            return Results.Ok(new
            {
                order.Id, order.Title, order.AmountCents, Merchant = seller, order.Status, order.PaymentEventId,
                Refunded = order.PaymentEventId is { } paid && provider.IsRefunded(paid),
            });
        });

        checkout.MapPost("/checkout/{orderId}/pay", async (string orderId, ClaimsPrincipal principal, SampleDbContext db, FakePayProvider provider, PaymentWebhook webhook, CancellationToken ct) =>
        {
            var order = await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.Id == orderId && o.BuyerId == principal.UserId(), ct);
            if (order is null)
            {
                return Problems.Refuse(StatusCodes.Status404NotFound, "NotAvailable", "This order does not exist or is not yours.");
            }

            if (order.Status != OrderStatus.PendingPayment)
            {
                return Problems.Refuse(StatusCodes.Status409Conflict, "NotPayable", "This order is not waiting for payment.");
            }

            var eventId = "evt_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            var (body, signature) = provider.Create(new PaymentEvent(eventId, "payment.succeeded", order.Id, order.AmountCents));
            var delivery = await webhook.HandleAsync(body, signature, ct);
            return delivery is IStatusCodeHttpResult { StatusCode: >= 400 } ? delivery
                : provider.IsRefunded(eventId) ? Problems.Refuse(StatusCodes.Status409Conflict, "PaymentRefunded", "The order was cancelled before the payment arrived: the payment was refunded.")
                : Results.Ok(new { EventId = eventId });
        });

        checkout.MapPost("/events/{eventId}/redeliver", async (string eventId, FakePayProvider provider, PaymentWebhook webhook, CancellationToken ct) =>
            provider.Find(eventId) is { } delivery
                ? await webhook.HandleAsync(delivery.Body, delivery.Signature, ct)
                : Problems.Refuse(StatusCodes.Status404NotFound, "UnknownEvent", "No such payment event."));

        app.MapPost("/webhooks/fakepay", async (HttpRequest request, PaymentWebhook webhook, CancellationToken ct) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(ct);
            return await webhook.HandleAsync(body, request.Headers[FakePayProvider.SignatureHeader], ct);
        }).AllowAnonymous();
    }
}
