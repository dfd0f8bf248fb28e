using System.Security.Claims;
using System.Security.Cryptography;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Lifecycle;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Sample.Accounts;
using Marketplace.Chat.Sample.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Sample.Shop;

/// <summary>
/// The marketplace: listings, orders and disputes. Each step that matters to the chat tells it what happened through
/// <see cref="IChatLifecycle"/> after recording it in the marketplace's own tables (so pages that refresh on the chat's live
/// event read the new state); every lifecycle call is safe to repeat, so a failure in between is repaired by trying again.
/// </summary>
public static class ShopEndpoints
{
    /// <summary>Maps the marketplace's endpoints under <c>/api</c>.</summary>
    public static void MapShopEndpoints(this RouteGroupBuilder api)
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

        api.MapPost("/listings/{id}/buy", async (string id, ClaimsPrincipal principal, SampleDbContext db, IChatLifecycle chat, TimeProvider clock, CancellationToken ct) =>
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
                Id = NewId("ord"), ListingId = listing.Id, BuyerId = me, SellerId = listing.SellerId, Title = listing.Title,
                AmountCents = listing.PriceCents, CreatedAt = clock.GetUtcNow(),
            };
            db.Orders.Add(order);
            await db.SaveChangesAsync(ct);

            // The chat exists from now on, locked until the payment provider confirms payment.
            await chat.RegisterTransactionAsync(order.Id, new TransactionParties(order.BuyerId, order.SellerId), new ChatEventContext(me), ct);
            return Results.Ok(new { order.Id });
        });

        api.MapGet("/orders", async (ClaimsPrincipal principal, SampleDbContext db, IChatMessaging messaging, CancellationToken ct) =>
        {
            var me = principal.UserId();
            var orders = await db.Orders.AsNoTracking()
                .Where(o => o.BuyerId == me || o.SellerId == me)
                .OrderByDescending(o => o.CreatedAt)
                .Take(50)
                .ToListAsync(ct);
            var context = await OrderContext.LoadAsync(db, orders, ct);
            var result = new List<OrderSummary>(orders.Count);
            foreach (var order in orders)
            {
                result.Add(await SummarizeAsync(order, principal, context, messaging, ct));
            }

            return Results.Ok(result);
        });

        api.MapGet("/orders/{id}", async (string id, ClaimsPrincipal principal, SampleDbContext db, IChatMessaging messaging, CancellationToken ct) =>
        {
            var order = await FindVisibleOrderAsync(db, principal, id, ct);
            if (order is null)
            {
                return NotAvailable();
            }

            var context = await OrderContext.LoadAsync(db, [order], ct);
            var summary = await SummarizeAsync(order, principal, context, messaging, ct);
            var disputes = await db.Disputes.AsNoTracking().Where(d => d.OrderId == id).OrderBy(d => d.CreatedAt).ToListAsync(ct);
            return Results.Ok(new OrderDetail(
                summary,
                context.Person(order.BuyerId),
                context.Person(order.SellerId),
                Actions(order, principal),
                disputes.Select(d => new DisputeRef(d.Id, d.Outcome is null ? "open" : "resolved", d.Outcome)).ToList()));
        });

        api.MapPost("/orders/{id}/cancel", async (string id, ClaimsPrincipal principal, SampleDbContext db, IChatLifecycle chat, CancellationToken ct) =>
        {
            var order = await FindVisibleOrderAsync(db, principal, id, ct);
            if (order is null || principal.IsInRole(User.AdminRole) && order.BuyerId != principal.UserId() && order.SellerId != principal.UserId())
            {
                return NotAvailable();
            }

            if (order.Status is not (OrderStatus.PendingPayment or OrderStatus.Cancelled))
            {
                return Problems.Refuse(StatusCodes.Status409Conflict, "CannotCancel", "Only an order that is not paid yet can be cancelled.");
            }

            await db.Orders.Where(o => o.Id == id && o.Status == OrderStatus.PendingPayment)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, OrderStatus.Cancelled), ct);
            await chat.CancelAsync(order.Id, new ChatEventContext(principal.UserId()), ct);
            return Results.NoContent();
        });

        api.MapPost("/orders/{id}/complete", async (string id, ClaimsPrincipal principal, SampleDbContext db, IChatLifecycle chat, CancellationToken ct) =>
        {
            var order = await FindVisibleOrderAsync(db, principal, id, ct);
            if (order is null || order.BuyerId != principal.UserId())
            {
                return order is null ? NotAvailable() : Problems.Refuse(StatusCodes.Status403Forbidden, "BuyerOnly", "Only the buyer confirms receipt.");
            }

            if (order.Status is not (OrderStatus.Paid or OrderStatus.Completed))
            {
                return Problems.Refuse(StatusCodes.Status409Conflict, "CannotComplete", "Only a paid order can be marked as received.");
            }

            await db.Orders.Where(o => o.Id == id && o.Status == OrderStatus.Paid)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, OrderStatus.Completed), ct);
            await chat.CompleteAsync(order.Id, new ChatEventContext(principal.UserId()), ct);
            return Results.NoContent();
        });

        api.MapPost("/orders/{id}/disputes", async (string id, OpenDisputeRequest request, ClaimsPrincipal principal, SampleDbContext db, IChatLifecycle chat, TimeProvider clock, CancellationToken ct) =>
        {
            var me = principal.UserId();
            var order = await FindVisibleOrderAsync(db, principal, id, ct);
            if (order is null || order.BuyerId != me && order.SellerId != me)
            {
                return NotAvailable();
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

            var disputeId = NewId("dsp");
            var dispute = new Dispute { Id = disputeId, OrderId = order.Id, OpenedById = me, Reason = reason, CreatedAt = clock.GetUtcNow() };
            db.Disputes.Add(dispute);
            await db.SaveChangesAsync(ct);
            if (await db.Orders.Where(o => o.Id == id && o.Status == OrderStatus.Paid)
                    .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, OrderStatus.Disputed), ct) == 0)
            {
                await db.Disputes.Where(d => d.Id == disputeId).ExecuteDeleteAsync(ct);
                return Problems.Refuse(StatusCodes.Status409Conflict, "CannotDispute", "A dispute can be opened on a paid order that is not complete.");
            }

            try
            {
                await chat.OpenDisputeAsync(order.Id, disputeId, new ChatEventContext(me), ct);
            }
            catch (ChatException)
            {
                // The chat refused (its state moved on): undo the marketplace's side so both stay in step.
                await db.Orders.Where(o => o.Id == id).ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, OrderStatus.Paid), CancellationToken.None);
                await db.Disputes.Where(d => d.Id == disputeId).ExecuteDeleteAsync(CancellationToken.None);
                throw;
            }

            return Results.Ok(new { Id = disputeId });
        });

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
            var context = await OrderContext.LoadAsync(db, rows.Select(r => r.o).ToList(), ct, rows.Select(r => r.d).ToList());
            return Results.Ok(rows.Select(r => context.Describe(r.d, r.o)).ToList());
        });

        api.MapGet("/disputes/{id}", async (string id, ClaimsPrincipal principal, SampleDbContext db, CancellationToken ct) =>
        {
            var row = await FindVisibleDisputeAsync(db, principal, id, ct);
            if (row is null)
            {
                return NotAvailable();
            }

            var context = await OrderContext.LoadAsync(db, [row.Value.Order], ct, [row.Value.Dispute]);
            return Results.Ok(context.Describe(row.Value.Dispute, row.Value.Order));
        });

        api.MapPost("/disputes/{id}/assign", async (string id, ClaimsPrincipal principal, SampleDbContext db, CancellationToken ct) =>
        {
            await db.Disputes.Where(d => d.Id == id && d.AssignedAdminId == null)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.AssignedAdminId, principal.UserId()), ct);
            return Results.NoContent();
        }).RequireAuthorization(SampleApp.AdminPolicy);

        api.MapPost("/disputes/{id}/resolve", async (string id, ResolveDisputeRequest request, ClaimsPrincipal principal, SampleDbContext db, IChatLifecycle chat, TimeProvider clock, CancellationToken ct) =>
        {
            var dispute = await db.Disputes.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, ct);
            if (dispute is null)
            {
                return NotAvailable();
            }

            if (dispute.Outcome is { } decided && decided != request.Outcome)
            {
                return Problems.Refuse(StatusCodes.Status409Conflict, "AlreadyResolved", "This dispute is already resolved with another outcome.");
            }

            var note = (request.Note ?? "").Trim();
            if (note.Length > 1000)
            {
                return Problems.Refuse(StatusCodes.Status400BadRequest, "NoteTooLong", "The note is limited to 1,000 characters.");
            }

            var now = clock.GetUtcNow();
            await db.Disputes.Where(d => d.Id == id && d.Outcome == null).ExecuteUpdateAsync(
                s => s.SetProperty(d => d.Outcome, request.Outcome).SetProperty(d => d.ResolvedAt, now)
                    .SetProperty(d => d.ResolutionNote, note.Length == 0 ? null : note)
                    .SetProperty(d => d.AssignedAdminId, d => d.AssignedAdminId ?? principal.UserId()),
                ct);
            var status = request.Outcome == DisputeOutcome.CloseTransaction ? OrderStatus.Settled : OrderStatus.Paid;
            await db.Orders.Where(o => o.Id == dispute.OrderId && o.Status == OrderStatus.Disputed)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, status), ct);

            // Recorded first, then told to the chat (safe to repeat): pages refreshing on the chat's event read the outcome.
            await chat.ResolveDisputeAsync(id, request.Outcome, new ChatEventContext(principal.UserId()), ct);
            return Results.NoContent();
        }).RequireAuthorization(SampleApp.AdminPolicy);

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

    private static IResult NotAvailable() =>
        Problems.Refuse(StatusCodes.Status404NotFound, "NotAvailable", "This order does not exist or is not yours.");

    private static async Task<Order?> FindVisibleOrderAsync(SampleDbContext db, ClaimsPrincipal principal, string id, CancellationToken ct)
    {
        var me = principal.UserId();
        var order = await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, ct);
        if (order is null)
        {
            return null;
        }

        if (order.BuyerId == me || order.SellerId == me)
        {
            return order;
        }

        // Administrators see an order only as the subject of a dispute, as the chat lets them read its conversation.
        return principal.IsInRole(User.AdminRole) && await db.Disputes.AnyAsync(d => d.OrderId == id, ct) ? order : null;
    }

    private static async Task<(Dispute Dispute, Order Order)?> FindVisibleDisputeAsync(SampleDbContext db, ClaimsPrincipal principal, string id, CancellationToken ct)
    {
        var me = principal.UserId();
        var row = await (from d in db.Disputes.AsNoTracking()
                         join o in db.Orders.AsNoTracking() on d.OrderId equals o.Id
                         where d.Id == id
                         select new { d, o }).SingleOrDefaultAsync(ct);
        if (row is null || !principal.IsInRole(User.AdminRole) && row.o.BuyerId != me && row.o.SellerId != me)
        {
            return null;
        }

        return (row.d, row.o);
    }

    private static List<string> Actions(Order order, ClaimsPrincipal principal)
    {
        var me = principal.UserId();
        var actions = new List<string>();
        var isBuyer = order.BuyerId == me;
        var isSeller = order.SellerId == me;
        switch (order.Status)
        {
            case OrderStatus.PendingPayment when isBuyer:
                actions.Add("pay");
                actions.Add("cancel");
                break;
            case OrderStatus.PendingPayment when isSeller:
                actions.Add("cancel");
                break;
            case OrderStatus.Paid when isBuyer:
                actions.Add("complete");
                actions.Add("dispute");
                break;
            case OrderStatus.Paid when isSeller:
                actions.Add("ship");
                actions.Add("dispute");
                break;
        }

        return actions;
    }

    private static async Task<OrderSummary> SummarizeAsync(
        Order order, ClaimsPrincipal principal, OrderContext context, IChatMessaging messaging, CancellationToken ct)
    {
        var me = principal.UserId();
        var role = order.BuyerId == me ? "buyer" : order.SellerId == me ? "seller" : "admin";
        ChatSummary? chat = null;
        try
        {
            // One view and one message per order: fine for a page of orders. A larger host would keep these in its own read model.
            var user = principal.ChatUser();
            var view = await messaging.GetTransactionViewAsync(user, order.Id, ct);
            var last = await messaging.GetHistoryAsync(user, view.Conversation.Id, new HistoryQuery(Limit: 5), ct);
            var newest = last.Messages.FirstOrDefault(m => m.Kind is not (ChatMessageKind.Edit or ChatMessageKind.Deletion));
            chat = new ChatSummary(view.Conversation.Id, view.Conversation.State, view.UnreadCount, newest);
        }
        catch (ChatException)
        {
            // No chat for this order (or not readable by this user): the list shows the order without one.
        }

        var listing = context.Listing(order.ListingId);
        return new OrderSummary(
            order.Id, order.Title, listing?.Emoji ?? "📦", listing?.Color ?? "#e5e7eb", order.AmountCents, order.Status, role,
            context.Person(role == "seller" ? order.BuyerId : order.SellerId), order.CreatedAt, chat, context.OpenDispute(order.Id));
    }

    private static string NewId(string prefix) => prefix + "_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>The names and listings a page of orders refers to, loaded once.</summary>
    private sealed class OrderContext
    {
        private Dictionary<string, Person> _people = [];
        private Dictionary<string, Listing> _listings = [];
        private Dictionary<string, string> _openDisputes = [];

        public static async Task<OrderContext> LoadAsync(SampleDbContext db, IReadOnlyList<Order> orders, CancellationToken ct, IReadOnlyList<Dispute>? disputes = null)
        {
            var userIds = orders.SelectMany(o => new[] { o.BuyerId, o.SellerId })
                .Concat(disputes?.SelectMany(d => new[] { d.OpenedById, d.AssignedAdminId ?? "" }) ?? [])
                .Distinct().ToList();
            var listingIds = orders.Select(o => o.ListingId).Distinct().ToList();
            var orderIds = orders.Select(o => o.Id).ToList();
            return new OrderContext
            {
                _people = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id))
                    .ToDictionaryAsync(u => u.Id, u => new Person(u.Id, u.DisplayName, u.Role == User.AdminRole), ct),
                _listings = await db.Listings.AsNoTracking().Where(l => listingIds.Contains(l.Id)).ToDictionaryAsync(l => l.Id, ct),
                _openDisputes = (await db.Disputes.AsNoTracking().Where(d => orderIds.Contains(d.OrderId) && d.Outcome == null)
                    .Select(d => new { d.OrderId, d.Id }).ToListAsync(ct))
                    .GroupBy(d => d.OrderId).ToDictionary(g => g.Key, g => g.First().Id),
            };
        }

        public Person Person(string id) => _people.TryGetValue(id, out var person) ? person : new Person(id, id, false);

        public Listing? Listing(string id) => _listings.GetValueOrDefault(id);

        public string? OpenDispute(string orderId) => _openDisputes.GetValueOrDefault(orderId);

        public DisputeDto Describe(Dispute d, Order o)
        {
            var listing = Listing(o.ListingId);
            return new DisputeDto(
                d.Id, o.Id, o.Title, listing?.Emoji ?? "📦", listing?.Color ?? "#e5e7eb", o.AmountCents, Person(o.BuyerId), Person(o.SellerId),
                Person(d.OpenedById), d.Reason, d.AssignedAdminId is null ? null : Person(d.AssignedAdminId),
                d.Outcome is null ? "open" : "resolved", d.Outcome, d.ResolutionNote, d.CreatedAt, d.ResolvedAt);
        }
    }

    /// <summary>A listing on the home page.</summary>
    public sealed record ListingDto(string Id, string Title, string Description, int PriceCents, string Emoji, string Color, string SellerId, string SellerName, bool IsMine);

    /// <summary>Someone's public name.</summary>
    public sealed record Person(string Id, string Name, bool IsAdmin);

    /// <summary>The chat of an order as the list shows it.</summary>
    public sealed record ChatSummary(Guid ConversationId, ChatState State, int Unread, ChatMessage? LastMessage);

    /// <summary>An order in the user's list.</summary>
    public sealed record OrderSummary(
        string Id, string Title, string Emoji, string Color, int AmountCents, OrderStatus Status, string Role, Person Counterpart,
        DateTimeOffset CreatedAt, ChatSummary? Chat, string? OpenDisputeId);

    /// <summary>An order with its parties, what the user may do now, and its disputes.</summary>
    public sealed record OrderDetail(OrderSummary Order, Person Buyer, Person Seller, IReadOnlyList<string> Actions, IReadOnlyList<DisputeRef> Disputes);

    /// <summary>A dispute of an order.</summary>
    public sealed record DisputeRef(string Id, string Status, DisputeOutcome? Outcome);

    /// <summary>A dispute with its order and people.</summary>
    public sealed record DisputeDto(
        string Id, string OrderId, string Title, string Emoji, string Color, int AmountCents, Person Buyer, Person Seller, Person OpenedBy,
        string Reason, Person? AssignedAdmin, string Status, DisputeOutcome? Outcome, string? ResolutionNote, DateTimeOffset CreatedAt, DateTimeOffset? ResolvedAt);

    /// <summary>Opens a dispute.</summary>
    public sealed record OpenDisputeRequest(string? Reason);

    /// <summary>Resolves a dispute.</summary>
    public sealed record ResolveDisputeRequest(DisputeOutcome Outcome, string? Note);
}
