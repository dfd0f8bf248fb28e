using System.Security.Claims;
using System.Security.Cryptography;
using Marketplace.Chat.Access;
using Marketplace.Chat.Messages;
using Marketplace.Chat.Sample.Accounts;
using Marketplace.Chat.Sample.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Sample.Shop;

/// <summary>What the shop's pages show of orders and disputes, and who may see them.</summary>
internal static class OrderViews
{
    public static async Task<Order?> FindVisibleOrderAsync(SampleDbContext db, ClaimsPrincipal principal, string id, CancellationToken ct)
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

    public static async Task<(Dispute Dispute, Order Order)?> FindVisibleDisputeAsync(SampleDbContext db, ClaimsPrincipal principal, string id, CancellationToken ct)
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

    public static List<string> Actions(Order order, ClaimsPrincipal principal)
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

    public static async Task<OrderSummary> SummarizeAsync(
        Order order, ClaimsPrincipal principal, OrderContext context, IChatMessaging messaging, IChatUserResolver users, CancellationToken ct)
    {
        var me = principal.UserId();
        var role = order.BuyerId == me ? "buyer" : order.SellerId == me ? "seller" : "admin";
        ChatSummary? chat = null;
        try
        {
            // One view and one message per order: fine for a page of orders. A larger host would keep these in its own read model.
            var user = await users.ResolveAsync(principal);
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

    public static string NewId(string prefix) => prefix + "_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>The names and listings a page of orders refers to, loaded once.</summary>
    public sealed class OrderContext
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
}
