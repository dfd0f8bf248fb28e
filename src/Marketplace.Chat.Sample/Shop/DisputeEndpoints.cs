using System.Security.Claims;
using Marketplace.Chat.Sample.Accounts;
using Marketplace.Chat.Sample.Chat;
using Marketplace.Chat.Sample.Data;
using Marketplace.Chat.Sample.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Sample.Shop;

/// <summary>Disputes: the admin's queue, one dispute, taking it, resolving it.</summary>
public static class DisputeEndpoints
{
    /// <summary>Maps <c>/disputes</c>, <c>/disputes/{id}</c>, <c>/disputes/{id}/assign</c> and <c>/disputes/{id}/resolve</c>.</summary>
    public static void MapDisputeEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/disputes", async (ClaimsPrincipal principal, SampleDbContext db, CancellationToken ct) =>
        {
            var me = principal.UserId();
            var query = from d in db.Disputes.AsNoTracking()
                        join o in db.Orders.AsNoTracking() on d.OrderId equals o.Id
                        select new { d, o };
            if (!principal.IsInRole(User.AdminRole))
            {
                query = query.Where(x => x.o.BuyerId == me || x.o.SellerId == me);
            }

            var rows = await query.OrderBy(x => x.d.Outcome != null).ThenByDescending(x => x.d.CreatedAt).Take(100).ToListAsync(ct);
            var context = await OrderViews.OrderContext.LoadAsync(db, rows.Select(r => r.o).ToList(), ct, rows.Select(r => r.d).ToList());
            return Results.Ok(rows.Select(r => context.Describe(r.d, r.o)).ToList());
        });

        api.MapGet("/disputes/{id}", async (string id, ClaimsPrincipal principal, SampleDbContext db, CancellationToken ct) =>
        {
            var row = await OrderViews.FindVisibleDisputeAsync(db, principal, id, ct);
            if (row is null)
            {
                return Problems.NotAvailable();
            }

            var context = await OrderViews.OrderContext.LoadAsync(db, [row.Value.Order], ct, [row.Value.Dispute]);
            return Results.Ok(context.Describe(row.Value.Dispute, row.Value.Order));
        });

        api.MapPost("/disputes/{id}/assign", async (string id, ClaimsPrincipal principal, SampleDbContext db, CancellationToken ct) =>
        {
            await db.Disputes.Where(d => d.Id == id && d.AssignedAdminId == null)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.AssignedAdminId, principal.UserId()), ct);
            return Results.NoContent();
        }).RequireAuthorization(SiteSetup.AdminPolicy);

        api.MapPost("/disputes/{id}/resolve", async (string id, ResolveDisputeRequest request, ClaimsPrincipal principal, OrderChat chat, CancellationToken ct) =>
        {
            var note = (request.Note ?? "").Trim();
            if (note.Length > 1000)
            {
                return Problems.Refuse(StatusCodes.Status400BadRequest, "NoteTooLong", "The note is limited to 1,000 characters.");
            }

            return await chat.ResolveDisputeAsync(id, request.Outcome, note.Length == 0 ? null : note, principal.UserId(), ct) ?? Results.NoContent();
        }).RequireAuthorization(SiteSetup.AdminPolicy);
    }
}
