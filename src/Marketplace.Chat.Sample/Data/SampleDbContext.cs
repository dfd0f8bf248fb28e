using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Sample.Data;

/// <summary>The sample marketplace's own data (users, listings, orders, disputes), with the chat's tables added to the same model.</summary>
public sealed class SampleDbContext(DbContextOptions<SampleDbContext> options) : DbContext(options)
{
    /// <summary>The schema of the chat's tables in the sample database.</summary>
    public const string ChatSchema = "chat";

    /// <summary>Gets the marketplace's accounts.</summary>
    public DbSet<User> Users => Set<User>();

    /// <summary>Gets what sellers offer.</summary>
    public DbSet<Listing> Listings => Set<Listing>();

    /// <summary>Gets the marketplace's orders: who buys what from whom.</summary>
    public DbSet<Order> Orders => Set<Order>();

    /// <summary>Gets the disputes opened about orders.</summary>
    public DbSet<Dispute> Disputes => Set<Dispute>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>(b =>
        {
            b.ToTable("users");
            b.HasKey(u => u.Id);
            b.Property(u => u.Id).HasMaxLength(64);
            b.Property(u => u.Email).HasMaxLength(200);
            b.HasIndex(u => u.Email).IsUnique();
            b.Property(u => u.DisplayName).HasMaxLength(100);
            b.Property(u => u.PasswordHash).HasMaxLength(200);
            b.Property(u => u.Role).HasMaxLength(20);
        });

        modelBuilder.Entity<Listing>(b =>
        {
            b.ToTable("listings");
            b.HasKey(l => l.Id);
            b.Property(l => l.Id).HasMaxLength(64);
            b.Property(l => l.SellerId).HasMaxLength(64);
            b.Property(l => l.Title).HasMaxLength(200);
            b.Property(l => l.Description).HasMaxLength(2000);
            b.Property(l => l.Emoji).HasMaxLength(16);
            b.Property(l => l.Color).HasMaxLength(16);
            b.HasIndex(l => l.SellerId);
            b.HasOne<User>().WithMany().HasForeignKey(l => l.SellerId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<Order>(b =>
        {
            b.ToTable("orders");
            b.HasKey(o => o.Id);
            b.Property(o => o.Id).HasMaxLength(64);
            b.Property(o => o.ListingId).HasMaxLength(64);
            b.Property(o => o.BuyerId).HasMaxLength(64);
            b.Property(o => o.SellerId).HasMaxLength(64);
            b.Property(o => o.Title).HasMaxLength(200);
            b.Property(o => o.Status).HasConversion<string>().HasMaxLength(20);
            b.Property(o => o.PaymentEventId).HasMaxLength(100);
            b.HasIndex(o => o.BuyerId);
            b.HasIndex(o => o.SellerId);
            b.HasOne<Listing>().WithMany().HasForeignKey(o => o.ListingId).OnDelete(DeleteBehavior.Restrict);
            b.HasOne<User>().WithMany().HasForeignKey(o => o.BuyerId).OnDelete(DeleteBehavior.Restrict);
            b.HasOne<User>().WithMany().HasForeignKey(o => o.SellerId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<Dispute>(b =>
        {
            b.ToTable("disputes");
            b.HasKey(d => d.Id);
            b.Property(d => d.Id).HasMaxLength(64);
            b.Property(d => d.OrderId).HasMaxLength(64);
            b.Property(d => d.OpenedById).HasMaxLength(64);
            b.Property(d => d.Reason).HasMaxLength(1000);
            b.Property(d => d.AssignedAdminId).HasMaxLength(64);
            b.Property(d => d.Outcome).HasConversion<string>().HasMaxLength(30);
            b.Property(d => d.ResolutionNote).HasMaxLength(1000);
            b.HasIndex(d => d.OrderId);
            b.HasOne<Order>().WithMany().HasForeignKey(d => d.OrderId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.AddMarketplaceChat(o => o.Schema = ChatSchema);
    }
}
