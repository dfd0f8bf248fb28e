using Marketplace.Chat.BrowserTests.Infrastructure;
using Marketplace.Chat.Sample.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Marketplace.Chat.BrowserTests;

/// <summary>
/// The sample's migrations are written by hand (no design-time EF here), so this checks them against the model: the
/// schema they build on a fresh database must be exactly the one <c>EnsureCreated</c> builds from the model on another.
/// </summary>
[Collection(SampleSiteGroup.Name)]
public sealed class MigrationsShould(SampleSiteFixture site)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task BuildExactlyTheSchemaTheModelDescribes()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var ct = timeout.Token;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var migrated = "migrated_" + suffix;
        var created = "created_" + suffix;
        await site.Cluster.CreateDatabaseAsync(migrated, ct);
        await site.Cluster.CreateDatabaseAsync(created, ct);

        await using (var db = Context(migrated))
        {
            await db.Database.MigrateAsync(ct);
        }

        await using (var db = Context(created))
        {
            await db.Database.EnsureCreatedAsync(ct);
            var script = Path.Combine(Repository.Root, "artifacts", "migrations", "ensure-created.sql");
            Directory.CreateDirectory(Path.GetDirectoryName(script)!);
            await File.WriteAllTextAsync(script, db.Database.GenerateCreateScript(), ct);
        }

        var fromMigrations = await DescribeSchemaAsync(migrated, ct);
        var fromModel = await DescribeSchemaAsync(created, ct);
        var missing = fromModel.Except(fromMigrations).ToList();
        var extra = fromMigrations.Except(fromModel).ToList();
        Assert.True(
            missing.Count == 0 && extra.Count == 0,
            "The migrations do not build the model's schema (the model's own DDL is in artifacts/migrations/ensure-created.sql)." + Environment.NewLine +
            "Missing from the migrations:" + Environment.NewLine + string.Join(Environment.NewLine, missing.Select(l => "  " + l)) + Environment.NewLine +
            "Only in the migrations:" + Environment.NewLine + string.Join(Environment.NewLine, extra.Select(l => "  " + l)));
        Assert.Contains(fromModel, l => l.StartsWith("column chat.chat_messages.", StringComparison.Ordinal));
    }

    private SampleDbContext Context(string database) => new(
        new DbContextOptionsBuilder<SampleDbContext>()
            .UseNpgsql(site.Cluster.ConnectionString(database))
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning))
            .Options);

    /// <summary>Lists tables' columns (type, length, nullability, default, identity), indexes and constraints, one line each.</summary>
    private async Task<SortedSet<string>> DescribeSchemaAsync(string database, CancellationToken ct)
    {
        const string schemas = "('public', 'chat')";
        const string sql = $"""
            select 'column ' || table_schema || '.' || table_name || '.' || column_name || ' ' || data_type
                || coalesce('(' || character_maximum_length || ')', '') || case when is_nullable = 'YES' then ' null' else ' not null' end
                || coalesce(' default ' || column_default, '') || case when is_identity = 'YES' then ' identity ' || identity_generation else '' end
            from information_schema.columns
            where table_schema in {schemas} and table_name <> '__EFMigrationsHistory'
            union all
            select 'index ' || schemaname || '.' || indexname || ': ' || indexdef
            from pg_indexes
            where schemaname in {schemas} and tablename <> '__EFMigrationsHistory'
            union all
            select 'constraint ' || n.nspname || '.' || c.conname || ' on ' || c.conrelid::regclass::text || ': ' || pg_get_constraintdef(c.oid)
            from pg_constraint c join pg_namespace n on n.oid = c.connamespace
            where n.nspname in {schemas} and c.conrelid::regclass::text not like '%__EFMigrationsHistory%'
            """;
        var lines = new SortedSet<string>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(site.Cluster.ConnectionString(database));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            lines.Add(reader.GetString(0));
        }

        return lines;
    }
}
