using Marketplace.Chat.Conversations;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Sample.Data;

/// <summary>The sample marketplace's own data, with the chat's tables added to the same model.</summary>
public sealed class SampleDbContext(DbContextOptions<SampleDbContext> options) : DbContext(options)
{
    /// <summary>Gets the marketplace's orders: who buys what from whom.</summary>
    public DbSet<Order> Orders => Set<Order>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>(b =>
        {
            b.ToTable("orders");
            b.HasKey(o => o.Id);
            b.Property(o => o.Id).HasMaxLength(64);
            b.Property(o => o.BuyerId).HasMaxLength(64);
            b.Property(o => o.SellerId).HasMaxLength(64);
            b.Property(o => o.Title).HasMaxLength(200);
        });
        modelBuilder.AddMarketplaceChat(o => o.Schema = "chat");
    }
}

/// <summary>An order of the sample marketplace.</summary>
public sealed class Order
{
    /// <summary>Gets or sets the order id (the chat's transaction id).</summary>
    public string Id { get; set; } = "";

    /// <summary>Gets or sets the buyer's user id.</summary>
    public string BuyerId { get; set; } = "";

    /// <summary>Gets or sets the seller's user id.</summary>
    public string SellerId { get; set; } = "";

    /// <summary>Gets or sets what was bought.</summary>
    public string Title { get; set; } = "";
}

/// <summary>Answers the chat's question "who are the buyer and seller of this transaction" from the orders table.</summary>
public sealed class OrderParties(SampleDbContext db) : ITransactionPartyResolver
{
    /// <inheritdoc />
    public async ValueTask<TransactionParties?> FindPartiesAsync(string transactionId, CancellationToken cancellationToken)
    {
        var order = await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.Id == transactionId, cancellationToken);
        return order is null ? null : new TransactionParties(order.BuyerId, order.SellerId);
    }
}
