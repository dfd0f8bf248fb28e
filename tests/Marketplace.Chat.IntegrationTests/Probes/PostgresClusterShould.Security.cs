using Npgsql;

namespace Marketplace.Chat.IntegrationTests.Probes;

public sealed partial class PostgresClusterShould
{
    [Fact]
    public async Task AskEveryRoleForItsPassword()
    {
        await using var cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions { DataDirectory = TempFolder(), DeleteOnDispose = true, Fsync = false })
            .WaitAsync(Timeout);

        var wrong = new NpgsqlConnectionStringBuilder(cluster.ConnectionString()) { Password = "guess", Pooling = false }.ConnectionString;
        var refused = await Assert.ThrowsAsync<PostgresException>(() => OpenAsync(wrong));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);

        var hba = await File.ReadAllLinesAsync(Path.Combine(cluster.DataDirectory, "pg_hba.conf"));
        var rules = hba.Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.Equal(["host all all 127.0.0.1/32 scram-sha-256", "host all all ::1/128 scram-sha-256"], rules);

        await using var connection = new NpgsqlConnection(cluster.ConnectionString());
        await connection.OpenAsync().WaitAsync(Timeout);
        Assert.StartsWith("SCRAM-SHA-256$", await Scalar<string>(connection, "select rolpassword from pg_authid where rolname = 'postgres'"), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            var credentials = Directory.GetFiles(cluster.DataDirectory, "*credentials*").Single();
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(credentials));
        }
    }

    [Fact]
    public async Task GiveAnApplicationARoleThatOwnsItsDatabaseAndNothingMore()
    {
        await using var cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions { DataDirectory = TempFolder(), DeleteOnDispose = true, Fsync = false })
            .WaitAsync(Timeout);

        var shop = await cluster.CreateApplicationDatabaseAsync("shop", "shop_app").WaitAsync(Timeout);
        Assert.Equal(shop, await cluster.CreateApplicationDatabaseAsync("shop", "shop_app").WaitAsync(Timeout)); // idempotent
        var other = await cluster.CreateApplicationDatabaseAsync("other_shop", "other_app").WaitAsync(Timeout);

        await using var connection = new NpgsqlConnection(shop);
        await connection.OpenAsync().WaitAsync(Timeout);
        Assert.Equal("shop_app", await Scalar<string>(connection, "select current_user"));
        Assert.Equal("shop_app", await Scalar<string>(connection, "select pg_get_userbyid(datdba) from pg_database where datname = current_database()"));
        Assert.False(await Scalar<bool>(connection, "select rolsuper or rolcreatedb or rolcreaterole or rolreplication or rolbypassrls from pg_roles where rolname = current_user"));

        // What migrations do: a schema of its own, tables in it and in public, later changes to them.
        await Execute(connection, "create schema chat");
        await Execute(connection, "create table chat.messages (id bigint generated always as identity primary key, text text not null)");
        await Execute(connection, "create table orders (id text primary key)");
        await Execute(connection, "alter table chat.messages add column sent_at timestamptz");

        // And nothing more: no database, no role change, no other application's database, no server files.
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => Execute(connection, "create database sneaky"))).SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => Execute(connection, "alter role shop_app superuser"))).SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => Execute(connection, "select pg_read_file('postgresql.conf')"))).SqlState);
        var otherDatabaseAsShop = new NpgsqlConnectionStringBuilder(shop) { Database = "other_shop", Pooling = false }.ConnectionString;
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => OpenAsync(otherDatabaseAsShop))).SqlState);
        await OpenAsync(new NpgsqlConnectionStringBuilder(other) { Pooling = false }.ConnectionString);
    }

    [Fact]
    public async Task ReplaceTrustAuthenticationOfAClusterAnEarlierVersionMade()
    {
        var folder = TempFolder();
        try
        {
            await using (var earlier = await PostgresCluster.StartAsync(new PostgresClusterOptions { DataDirectory = folder, Fsync = false }).WaitAsync(Timeout))
            {
                await earlier.CreateDatabaseAsync("shop").WaitAsync(Timeout);
                await using var connection = new NpgsqlConnection(earlier.ConnectionString("shop"));
                await connection.OpenAsync().WaitAsync(Timeout);
                await Execute(connection, "create schema chat");
                await Execute(connection, "create table chat.kept (id serial primary key, value text)");
                await Execute(connection, "insert into chat.kept (value) values ('from the trust days')");
                await Execute(connection, "alter role postgres password null");
            }

            // What an earlier version left: trust on loopback, no saved passwords, a superuser without one.
            await File.WriteAllTextAsync(Path.Combine(folder, "pg_hba.conf"), "host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n");
            File.Delete(Directory.GetFiles(folder, "*credentials*").Single());

            await using (var upgraded = await PostgresCluster.StartAsync(new PostgresClusterOptions { DataDirectory = folder, Fsync = false }).WaitAsync(Timeout))
            {
                var wrong = new NpgsqlConnectionStringBuilder(upgraded.ConnectionString()) { Password = "guess", Pooling = false }.ConnectionString;
                Assert.Equal(PostgresErrorCodes.InvalidPassword, (await Assert.ThrowsAsync<PostgresException>(() => OpenAsync(wrong))).SqlState);
                Assert.DoesNotContain("trust", await File.ReadAllTextAsync(Path.Combine(folder, "pg_hba.conf")), StringComparison.Ordinal);

                // The application takes the superuser's old database over, with what is in it.
                var shop = await upgraded.CreateApplicationDatabaseAsync("shop", "shop_app").WaitAsync(Timeout);
                await using var connection = new NpgsqlConnection(shop);
                await connection.OpenAsync().WaitAsync(Timeout);
                Assert.Equal("from the trust days", await Scalar<string>(connection, "select value from chat.kept"));
                await Execute(connection, "alter table chat.kept add column note text");
                await Execute(connection, "insert into chat.kept (value) values ('written by the application')");
                Assert.Equal("shop_app", await Scalar<string>(connection, "select nspowner::regrole::text from pg_namespace where nspname = 'chat'"));
            }

            // The passwords survive a restart.
            await using var restarted = await PostgresCluster.StartAsync(new PostgresClusterOptions { DataDirectory = folder, Fsync = false }).WaitAsync(Timeout);
            await OpenAsync(new NpgsqlConnectionStringBuilder(restarted.ConnectionString()) { Pooling = false }.ConnectionString);
            var again = await restarted.CreateApplicationDatabaseAsync("shop", "shop_app").WaitAsync(Timeout);
            await using var reopened = new NpgsqlConnection(again);
            await reopened.OpenAsync().WaitAsync(Timeout);
            Assert.Equal(2L, await Scalar<long>(reopened, "select count(*) from chat.kept"));
        }
        finally
        {
            DeleteFolder(folder);
        }
    }

    private static async Task OpenAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().WaitAsync(Timeout);
    }
}
