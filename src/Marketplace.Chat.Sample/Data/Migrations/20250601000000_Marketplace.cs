using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Marketplace.Chat.Sample.Data.Migrations;

/// <summary>Creates the marketplace's own tables: users, listings, orders and disputes.</summary>
/// <remarks>
/// Written by hand with the MigrationBuilder API (the EF design-time package cannot be restored here, so
/// <c>dotnet ef migrations add</c> is not available). MigrationsShould checks that all the migrations together build
/// exactly the schema that <c>EnsureCreated</c> builds from the model.
/// </remarks>
[DbContext(typeof(SampleDbContext))]
[Migration("20250601000000_Marketplace")]
public sealed class Marketplace : Migration
{
    /// <inheritdoc />
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "users",
            columns: table => new
            {
                Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                Email = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                DisplayName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                PasswordHash = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                Role = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_users", x => x.Id));

        migrationBuilder.CreateTable(
            name: "listings",
            columns: table => new
            {
                Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                SellerId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                Description = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                PriceCents = table.Column<int>(type: "integer", nullable: false),
                Emoji = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                Color = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_listings", x => x.Id);
                table.ForeignKey("FK_listings_users_SellerId", x => x.SellerId, "users", "Id", onDelete: ReferentialAction.Restrict);
            });

        migrationBuilder.CreateTable(
            name: "orders",
            columns: table => new
            {
                Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                ListingId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                BuyerId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                SellerId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                AmountCents = table.Column<int>(type: "integer", nullable: false),
                Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                PaymentEventId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                PaidAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_orders", x => x.Id);
                table.ForeignKey("FK_orders_listings_ListingId", x => x.ListingId, "listings", "Id", onDelete: ReferentialAction.Restrict);
                table.ForeignKey("FK_orders_users_BuyerId", x => x.BuyerId, "users", "Id", onDelete: ReferentialAction.Restrict);
                table.ForeignKey("FK_orders_users_SellerId", x => x.SellerId, "users", "Id", onDelete: ReferentialAction.Restrict);
            });

        migrationBuilder.CreateTable(
            name: "disputes",
            columns: table => new
            {
                Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                OrderId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                OpenedById = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                Reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                AssignedAdminId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                Outcome = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: true),
                ResolutionNote = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                ResolvedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_disputes", x => x.Id);
                table.ForeignKey("FK_disputes_orders_OrderId", x => x.OrderId, "orders", "Id", onDelete: ReferentialAction.Restrict);
            });

        migrationBuilder.CreateIndex("IX_users_Email", "users", "Email", unique: true);
        migrationBuilder.CreateIndex("IX_listings_SellerId", "listings", "SellerId");
        migrationBuilder.CreateIndex("IX_orders_BuyerId", "orders", "BuyerId");
        migrationBuilder.CreateIndex("IX_orders_ListingId", "orders", "ListingId");
        migrationBuilder.CreateIndex("IX_orders_SellerId", "orders", "SellerId");
        migrationBuilder.CreateIndex("IX_disputes_OrderId", "disputes", "OrderId");
    }

    /// <inheritdoc />
    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("disputes");
        migrationBuilder.DropTable("orders");
        migrationBuilder.DropTable("listings");
        migrationBuilder.DropTable("users");
    }
}
