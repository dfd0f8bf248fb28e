using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Marketplace.Chat.Sample.Data;

/// <summary>
/// Creates the sample's DbContext for <c>dotnet ef</c> without starting the site (which would start its embedded
/// PostgreSQL cluster): <c>migrations add</c>, <c>migrations list</c> and <c>migrations script</c> need no database.
/// </summary>
/// <remarks>
/// <c>dotnet ef database update</c> connects to <c>ConnectionStrings__Chat</c> when it is set, or to the database given
/// with <c>--connection</c>; the placeholder below is never opened by the commands that need no database.
/// </remarks>
internal sealed class SampleDbContextFactory : IDesignTimeDbContextFactory<SampleDbContext>
{
    private const string Placeholder = "Host=127.0.0.1;Database=marketplace";

    /// <inheritdoc />
    public SampleDbContext CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Chat") is { Length: > 0 } configured
            ? configured
            : Placeholder;
        return new SampleDbContext(new DbContextOptionsBuilder<SampleDbContext>().UseNpgsql(connectionString).Options);
    }
}
