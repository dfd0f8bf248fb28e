using System.Security.Claims;
using Marketplace.Chat.Sample.Accounts;
using Marketplace.Chat.Sample.Chat;
using Marketplace.Chat.Sample.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Sample.Shop;

/// <summary>Listings: the home page, and buying one (which creates the order and its locked chat).</summary>
public static class ListingEndpoints
{
    /// <summary>Maps <c>GET /listings</c> and <c>POST /listings/{id}/buy</c>.</summary>
    public static void MapListingEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/listings", async (ClaimsPrincipal principal, SampleDbContext db, CancellationToken ct) =>
        {
            var me = principal.UserId();
            var listings = await (from l in db.Listings.AsNoTracking()
                                  join u in db.Users.AsNoTracking() on l.SellerId equals u.Id
                                  orderby l.CreatedAt, l.Id
                                  select new ListingDto(l.Id, l.Title, l.Description, l.PriceCents, l.Emoji, l.Color, u.Id, u.DisplayName, u.Id == me))
                .ToListAsync(ct);
            return Results.Ok(listings);
        }).AllowAnonymous();

        api.MapPost("/listings/{id}/buy", async (string id, ClaimsPrincipal principal, SampleDbContext db, OrderChat chat, TimeProvider clock, CancellationToken ct) =>
        {
            var me = principal.UserId();
            var listing = await db.Listings.AsNoTracking().SingleOrDefaultAsync(l => l.Id == id, ct);
            if (listing is null)
            {
                return Problems.Refuse(StatusCodes.Status404NotFound, "ListingNotFound", "This listing does not exist.");
            }

            if (listing.SellerId == me || principal.IsInRole(User.AdminRole))
            {
                return Problems.Refuse(StatusCodes.Status409Conflict, "CannotBuy", "Sellers cannot buy their own listings, and administrators do not buy.");
            }

            var order = new Order
            {
                Id = OrderViews.NewId("ord"), ListingId = listing.Id, BuyerId = me, SellerId = listing.SellerId, Title = listing.Title,
                AmountCents = listing.PriceCents, CreatedAt = clock.GetUtcNow(),
            };
            db.Orders.Add(order);
            await db.SaveChangesAsync(ct);

            // The chat exists from now on, locked until the payment provider confirms payment.
            await chat.RegisterAsync(order, me, ct);
            return Results.Ok(new { order.Id });
        });
    }
}
