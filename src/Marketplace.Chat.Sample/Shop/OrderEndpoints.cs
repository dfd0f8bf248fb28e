using System.Security.Claims;
using Marketplace.Chat.Access;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Sample.Accounts;
using Marketplace.Chat.Sample.Chat;
using Marketplace.Chat.Sample.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Sample.Shop;

/// <summary>Orders: the user's list, one order, and the buyer's and seller's steps (cancel, complete, open a dispute).</summary>
public static class OrderEndpoints
{
    /// <summary>Maps <c>/orders</c>, <c>/orders/{id}</c> and its actions.</summary>
    public static void MapOrderEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/orders", async (ClaimsPrincipal principal, SampleDbContext db, IChatMessaging messaging, IChatUserResolver users, CancellationToken ct) =>
        {
            var me = principal.UserId();
            var orders = await db.Orders.AsNoTracking()
                .Where(o => o.BuyerId == me || o.SellerId == me)
                .OrderByDescending(o => o.CreatedAt)
                .Take(50)
                .ToListAsync(ct);
            var context = await OrderViews.OrderContext.LoadAsync(db, orders, ct);
            var result = new List<OrderSummary>(orders.Count);
            foreach (var order in orders)
            {
                result.Add(await OrderViews.SummarizeAsync(order, principal, context, messaging, users, ct));
            }

            return Results.Ok(result);
        });

        api.MapGet("/orders/{id}", async (string id, ClaimsPrincipal principal, SampleDbContext db, IChatMessaging messaging, IChatUserResolver users, CancellationToken ct) =>
        {
            var order = await OrderViews.FindVisibleOrderAsync(db, principal, id, ct);
            if (order is null)
            {
                return Problems.NotAvailable();
            }

            var context = await OrderViews.OrderContext.LoadAsync(db, [order], ct);
            var summary = await OrderViews.SummarizeAsync(order, principal, context, messaging, users, ct);
            var disputes = await db.Disputes.AsNoTracking().Where(d => d.OrderId == id).OrderBy(d => d.CreatedAt).ToListAsync(ct);
            return Results.Ok(new OrderDetail(
                summary,
                context.Person(order.BuyerId),
                context.Person(order.SellerId),
                OrderViews.Actions(order, principal),
                disputes.Select(d => new DisputeRef(d.Id, d.Outcome is null ? "open" : "resolved", d.Outcome)).ToList()));
        });

        api.MapPost("/orders/{id}/cancel", async (string id, ClaimsPrincipal principal, SampleDbContext db, OrderChat chat, CancellationToken ct) =>
        {
            var me = principal.UserId();
            var order = await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, ct);
            if (order is null || order.BuyerId != me && order.SellerId != me)
            {
                return Problems.NotAvailable();
            }

            return await chat.CancelAsync(order.Id, me, ct) ?? Results.NoContent();
        });

        api.MapPost("/orders/{id}/complete", async (string id, ClaimsPrincipal principal, SampleDbContext db, OrderChat chat, CancellationToken ct) =>
        {
            var order = await OrderViews.FindVisibleOrderAsync(db, principal, id, ct);
            if (order is null || order.BuyerId != principal.UserId())
            {
                return order is null ? Problems.NotAvailable() : Problems.Refuse(StatusCodes.Status403Forbidden, "BuyerOnly", "Only the buyer confirms receipt.");
            }

            return await chat.CompleteAsync(order.Id, order.BuyerId, ct) ?? Results.NoContent();
        });

        api.MapPost("/orders/{id}/disputes", async (string id, OpenDisputeRequest request, ClaimsPrincipal principal, SampleDbContext db, OrderChat chat, TimeProvider clock, CancellationToken ct) =>
        {
            var me = principal.UserId();
            var order = await OrderViews.FindVisibleOrderAsync(db, principal, id, ct);
            if (order is null || order.BuyerId != me && order.SellerId != me)
            {
                return Problems.NotAvailable();
            }

            if (order.Status != OrderStatus.Paid)
            {
                return Problems.Refuse(StatusCodes.Status409Conflict, "CannotDispute", "A dispute can be opened on a paid order that is not complete.");
            }

            var reason = (request.Reason ?? "").Trim();
            if (reason.Length is 0 or > 1000)
            {
                return Problems.Refuse(StatusCodes.Status400BadRequest, "ReasonRequired", "Say in a few words what went wrong (up to 1,000 characters).");
            }

            var dispute = new Dispute { Id = OrderViews.NewId("dsp"), OrderId = order.Id, OpenedById = me, Reason = reason, CreatedAt = clock.GetUtcNow() };
            return await chat.OpenDisputeAsync(dispute, ct) ?? Results.Ok(new { dispute.Id });
        });
    }
}
