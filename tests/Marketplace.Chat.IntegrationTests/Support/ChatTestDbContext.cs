using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.IntegrationTests.Support;

/// <summary>A host's DbContext, as a host would write it: its own model plus the chat's, in a schema of its choice.</summary>
public sealed class ChatTestDbContext(DbContextOptions<ChatTestDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.AddMarketplaceChat(o => o.Schema = "chat");
}
