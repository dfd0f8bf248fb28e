using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Sample.Data;

/// <summary>The demo accounts and listings, added on start when missing (existing rows are left as they are).</summary>
public static class SeedData
{
    /// <summary>The password of every demo account.</summary>
    public const string DemoPassword = "demo1234";

    /// <summary>Gets the demo accounts: two buyers, two sellers and an administrator.</summary>
    public static IReadOnlyList<User> Users { get; } =
    [
        new() { Id = "camille", Email = "camille@demo.test", DisplayName = "Camille Martin", Role = User.MemberRole },
        new() { Id = "lucas", Email = "lucas@demo.test", DisplayName = "Lucas Bernard", Role = User.MemberRole },
        new() { Id = "sophie", Email = "sophie@demo.test", DisplayName = "Atelier Sophie", Role = User.MemberRole },
        new() { Id = "hugo", Email = "hugo@demo.test", DisplayName = "Hugo Vintage", Role = User.MemberRole },
        new() { Id = "nadia", Email = "nadia@demo.test", DisplayName = "Nadia (support)", Role = User.AdminRole },
    ];

    /// <summary>Gets the demo listings.</summary>
    public static IReadOnlyList<Listing> Listings { get; } =
    [
        new() { Id = "vase", SellerId = "sophie", Title = "Vase en céramique émaillée", Emoji = "🏺", Color = "#f4d9c6", PriceCents = 4500,
            Description = "Pièce unique tournée à la main, émail bleu de Delft, 24 cm." },
        new() { Id = "carnet", SellerId = "sophie", Title = "Carnet relié main", Emoji = "📓", Color = "#dfe7d3", PriceCents = 1800,
            Description = "Papier 120 g, couverture en lin, 160 pages." },
        new() { Id = "bougie", SellerId = "sophie", Title = "Bougie parfumée figue", Emoji = "🕯️", Color = "#f3e6c4", PriceCents = 2200,
            Description = "Cire de soja, mèche en coton, 40 heures." },
        new() { Id = "pentax", SellerId = "hugo", Title = "Appareil photo Pentax K1000", Emoji = "📷", Color = "#d7e3f0", PriceCents = 12000,
            Description = "Argentique 35 mm révisé, objectif 50 mm f/2, pellicule offerte." },
        new() { Id = "veste", SellerId = "hugo", Title = "Veste en jean vintage", Emoji = "🧥", Color = "#d3dcef", PriceCents = 5500,
            Description = "Années 90, taille M, très bon état." },
        new() { Id = "platine", SellerId = "hugo", Title = "Platine vinyle Technics", Emoji = "🎶", Color = "#e6dbef", PriceCents = 24000,
            Description = "SL-1200 MK2, cellule neuve, testée." },
    ];

    /// <summary>Adds the demo accounts and listings that are missing.</summary>
    public static async Task EnsureSeededAsync(SampleDbContext db, TimeProvider clock, CancellationToken cancellationToken = default)
    {
        var hasher = new PasswordHasher<User>();
        var knownUsers = await db.Users.Select(u => u.Id).ToListAsync(cancellationToken);
        foreach (var user in Users.Where(u => !knownUsers.Contains(u.Id)))
        {
            var row = new User { Id = user.Id, Email = user.Email, DisplayName = user.DisplayName, Role = user.Role };
            row.PasswordHash = hasher.HashPassword(row, DemoPassword);
            db.Users.Add(row);
        }

        var knownListings = await db.Listings.Select(l => l.Id).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        foreach (var listing in Listings.Where(l => !knownListings.Contains(l.Id)))
        {
            db.Listings.Add(new Listing
            {
                Id = listing.Id, SellerId = listing.SellerId, Title = listing.Title, Description = listing.Description,
                PriceCents = listing.PriceCents, Emoji = listing.Emoji, Color = listing.Color, CreatedAt = now,
            });
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
