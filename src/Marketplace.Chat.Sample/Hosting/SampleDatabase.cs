using Marketplace.Chat.EmbeddedPostgres;
using Marketplace.Chat.Sample.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Sample.Hosting;

/// <summary>
/// The sample's database: the configured <c>ConnectionStrings:Chat</c>, or else a private PostgreSQL cluster in
/// <c>App_Data/postgres</c> (loopback only) that lives as long as the site. Throws <see cref="PostgresNotFoundException"/>
/// when neither is available.
/// </summary>
public sealed partial class SampleDatabase : IAsyncDisposable
{
    private const string EmbeddedDatabase = "marketplace";

    // The site connects as a role that owns its database but is no superuser and cannot create databases or roles.
    private const string EmbeddedRole = "marketplace_app";

    private readonly PostgresCluster? _embedded;

    private SampleDatabase(string connectionString, PostgresCluster? embedded)
    {
        ConnectionString = connectionString;
        _embedded = embedded;
    }

    /// <summary>Gets the connection string of the sample's database.</summary>
    public string ConnectionString { get; }

    /// <summary>Finds or starts the database.</summary>
    public static async Task<SampleDatabase> StartAsync(WebApplicationBuilder builder, CancellationToken cancellationToken)
    {
        var configured = builder.Configuration.GetConnectionString("Chat");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new SampleDatabase(configured, null);
        }

        var dataDirectory = builder.Configuration["Sample:DataDirectory"] is { Length: > 0 } folder
            ? Path.GetFullPath(folder, builder.Environment.ContentRootPath)
            : Path.Combine(builder.Environment.ContentRootPath, "App_Data", "postgres");
        var embedded = await PostgresCluster.StartAsync(
            new PostgresClusterOptions { DataDirectory = dataDirectory, Port = builder.Configuration.GetValue("Sample:PostgresPort", 0) },
            cancellationToken);
        string connectionString;
        try
        {
            connectionString = await embedded.CreateApplicationDatabaseAsync(EmbeddedDatabase, EmbeddedRole, cancellationToken);
        }
        catch
        {
            await embedded.DisposeAsync();
            throw;
        }

        Console.WriteLine($"Embedded PostgreSQL is running on 127.0.0.1:{embedded.Port} (data in {embedded.DataDirectory}).");

        // Npgsql's automatic preparation: a statement the site runs again and again (every EF Core query of the chat's
        // hot paths) is parsed and planned once per connection. See README, "Performance", for what it is worth.
        var tuned = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 64, AutoPrepareMinUsages = 2 };
        return new SampleDatabase(tuned.ConnectionString, embedded);
    }

    /// <summary>Applies the migrations and adds the demo data that is missing.</summary>
    public async Task PrepareAsync(WebApplication app, CancellationToken ct)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
        if (_embedded is not null && await SchemaPredatesMigrationsAsync(db, ct))
        {
            // The first minimal sample created its private database with EnsureCreated: start that demo database afresh.
            // Its role owns the database but may not create one, so the schemas are emptied rather than the database dropped.
            LogRecreatingLegacyDatabase(app.Logger);
            await db.Database.ExecuteSqlRawAsync("drop schema if exists chat cascade; drop schema public cascade; create schema public;", ct);
        }

        await db.Database.MigrateAsync(ct);
        await SeedData.EnsureSeededAsync(db, scope.ServiceProvider.GetRequiredService<TimeProvider>(), ct);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_embedded is not null)
        {
            await _embedded.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The embedded demo database was created before the sample had migrations; recreating it.")]
    private static partial void LogRecreatingLegacyDatabase(ILogger logger);

    private static async Task<bool> SchemaPredatesMigrationsAsync(SampleDbContext db, CancellationToken ct)
    {
        if (!await db.Database.CanConnectAsync(ct))
        {
            return false;
        }

        const string count = "select count(*)::int as \"Value\" from information_schema.tables where ";
        var history = await db.Database.SqlQueryRaw<int>(count + "table_name = '__EFMigrationsHistory'").SingleAsync(ct);
        var tables = await db.Database.SqlQueryRaw<int>(count + "table_schema in ('public', 'chat')").SingleAsync(ct);
        return history == 0 && tables > 0;
    }
}
