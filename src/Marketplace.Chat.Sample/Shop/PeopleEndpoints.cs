using System.Security.Claims;
using Marketplace.Chat.Sample.Accounts;
using Marketplace.Chat.Sample.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Sample.Shop;

/// <summary>People: the names a user's pages show.</summary>
public static class PeopleEndpoints
{
    /// <summary>Maps <c>GET /people</c>.</summary>
    public static void MapPeopleEndpoints(this RouteGroupBuilder api) =>
        api.MapGet("/people", async (ClaimsPrincipal principal, SampleDbContext db, CancellationToken ct) =>
        {
            // Names of the people this user deals with (and the administrators); an administrator sees everyone's.
            var me = principal.UserId();
            var users = db.Users.AsNoTracking();
            if (!principal.IsInRole(User.AdminRole))
            {
                var related = db.Orders.Where(o => o.BuyerId == me || o.SellerId == me).Select(o => o.BuyerId)
                    .Union(db.Orders.Where(o => o.BuyerId == me || o.SellerId == me).Select(o => o.SellerId));
                users = users.Where(u => u.Id == me || u.Role == User.AdminRole || related.Contains(u.Id));
            }

            return Results.Ok(await users.Select(u => new Person(u.Id, u.DisplayName, u.Role == User.AdminRole)).ToListAsync(ct));
        });
}
