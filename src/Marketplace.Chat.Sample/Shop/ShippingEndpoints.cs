using System.Security.Claims;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Sample.Accounts;
using Marketplace.Chat.Sample.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Sample.Shop;

/// <summary>
/// The seller marks a paid order as shipped; the marketplace says so in the order's chat with a host notice
/// (<see cref="IChatLifecycle.PostNoticeAsync"/>): chained in the log, pushed live, notified to the buyer. The order id is
/// the notice's event id, so marking twice posts once.
/// </summary>
public static class ShippingEndpoints
{
    /// <summary>The code of the notice, for clients that translate or style it.</summary>
    public const string ShippedCode = "OrderShipped";

    /// <summary>Maps <c>POST /api/orders/{id}/ship</c>.</summary>
    public static void MapShippingEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/orders/{id}/ship", async (string id, ShipRequest? request, ClaimsPrincipal principal, SampleDbContext db, IChatLifecycle chat, CancellationToken ct) =>
        {
            var order = await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, ct);
            if (order is null || order.SellerId != principal.UserId())
            {
                return order is null || order.BuyerId != principal.UserId()
                    ? Problems.Refuse(StatusCodes.Status404NotFound, "OrderNotFound", "This order does not exist or is not yours.")
                    : Problems.Refuse(StatusCodes.Status403Forbidden, "SellerOnly", "Only the seller marks an order as shipped.");
            }

            if (order.Status != OrderStatus.Paid)
            {
                return Problems.Refuse(StatusCodes.Status409Conflict, "CannotShip", "Only a paid order can be marked as shipped.");
            }

            // A demo carrier: the tracking number is the seller's, or one made up from the order id.
            var tracking = request?.Tracking?.Trim() is { Length: > 0 and <= 40 } given
                ? given
                : "1Z" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(order.Id)))[..16];
            var notice = await chat.PostNoticeAsync(
                order.Id,
                "shipped:" + order.Id,
                new ChatNotice(ShippedCode, $"The parcel was shipped, tracking {tracking}.", new Dictionary<string, string> { ["tracking"] = tracking }),
                ct);
            return Results.Ok(notice);
        });
    }

    /// <summary>Marks an order shipped, optionally with the carrier's tracking number.</summary>
    public sealed record ShipRequest(string? Tracking);
}
