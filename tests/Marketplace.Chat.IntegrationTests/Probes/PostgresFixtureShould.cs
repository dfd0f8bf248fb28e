using Marketplace.Chat.IntegrationTests.Infrastructure;
using Npgsql;

namespace Marketplace.Chat.IntegrationTests.Probes;

[Collection(PostgresCollection.Name)]
public sealed class PostgresFixtureShould(PostgresFixture postgres)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task HandOutANewEmptyDatabasePerCall()
    {
        var first = await postgres.CreateDatabaseAsync("Fixture Probe!").WaitAsync(Timeout);
        var second = await postgres.CreateDatabaseAsync("Fixture Probe!").WaitAsync(Timeout);

        var firstName = new NpgsqlConnectionStringBuilder(first).Database;
        var secondName = new NpgsqlConnectionStringBuilder(second).Database;
        Assert.NotEqual(firstName, secondName);
        Assert.StartsWith("fixture_probe__", firstName, StringComparison.Ordinal);

        await using var a = new NpgsqlConnection(first);
        await using var b = new NpgsqlConnection(second);
        await Task.WhenAll(a.OpenAsync(), b.OpenAsync()).WaitAsync(Timeout);
        Assert.Equal(0L, await Scalar<long>(a, "select count(*) from pg_tables where schemaname = 'public'"));

        await using (var create = new NpgsqlCommand("create table mine (id int)", a))
        {
            await create.ExecuteNonQueryAsync().WaitAsync(Timeout);
        }

        Assert.Equal(1L, await Scalar<long>(a, "select count(*) from pg_tables where schemaname = 'public'"));
        Assert.Equal(0L, await Scalar<long>(b, "select count(*) from pg_tables where schemaname = 'public'"));
    }

    [Fact]
    public async Task CreateManyDatabasesConcurrentlyAndServeManyConnections()
    {
        var connectionStrings = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => postgres.CreateDatabaseAsync())).WaitAsync(Timeout);
        Assert.Equal(8, connectionStrings.Distinct(StringComparer.Ordinal).Count());

        // 120 connections open at once (max_connections is 300 in the fixture).
        var connections = new List<NpgsqlConnection>();
        try
        {
            foreach (var connectionString in connectionStrings)
            {
                for (var i = 0; i < 15; i++)
                {
                    connections.Add(new NpgsqlConnection(connectionString));
                }
            }

            await Task.WhenAll(connections.Select(c => c.OpenAsync())).WaitAsync(Timeout);
            var ones = await Task.WhenAll(connections.Select(c => Scalar<int>(c, "select 1"))).WaitAsync(Timeout);
            Assert.All(ones, one => Assert.Equal(1, one));
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private static async Task<T> Scalar<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync().WaitAsync(Timeout))!;
    }
}
