using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Xunit.Abstractions;

namespace Marketplace.Chat.IntegrationTests.Probes;

public sealed partial class PostgresClusterShould(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task StartALoopbackClusterAndRunQueries()
    {
        var folder = TempFolder();
        var stopwatch = Stopwatch.StartNew();
        var cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions { DataDirectory = folder, DeleteOnDispose = true, Fsync = false, MaxConnections = 123 })
            .WaitAsync(Timeout);
        output.WriteLine($"initdb + start: {stopwatch.ElapsedMilliseconds} ms, {cluster}");
        await using (cluster)
        {
            Assert.NotEqual(0, cluster.Port);
            Assert.Equal(Path.GetFullPath(folder), cluster.DataDirectory);
            Assert.True(File.Exists(Path.Combine(folder, "PG_VERSION")));

            await using var connection = new NpgsqlConnection(cluster.ConnectionString());
            await connection.OpenAsync().WaitAsync(Timeout);
            Assert.Equal(1, await Scalar<int>(connection, "select 1"));
            Assert.Equal("postgres", await Scalar<string>(connection, "select current_user"));
            Assert.Equal("127.0.0.1", await Scalar<string>(connection, "show listen_addresses"));
            Assert.Equal(string.Empty, await Scalar<string>(connection, "show unix_socket_directories"));
            Assert.Equal("123", await Scalar<string>(connection, "show max_connections"));
            Assert.Equal("UTF8", await Scalar<string>(connection, "show server_encoding"));

            await Execute(connection, "create table probe (id int primary key, name text not null)");
            await Execute(connection, "insert into probe values (1, 'één'), (2, 'two')");
            Assert.Equal("één", await Scalar<string>(connection, "select name from probe where id = 1"));
            Assert.Equal(2L, await Scalar<long>(connection, "select count(*) from probe"));

            await cluster.CreateDatabaseAsync("probe_db").WaitAsync(Timeout);
            await cluster.CreateDatabaseAsync("probe_db").WaitAsync(Timeout); // idempotent
            await using var other = new NpgsqlConnection(cluster.ConnectionString("probe_db"));
            await other.OpenAsync().WaitAsync(Timeout);
            Assert.Equal("probe_db", await Scalar<string>(other, "select current_database()"));

            if (Environment.UserName == "root")
            {
                // PostgreSQL refuses root: the server must run as the postgres OS user (runuser).
                var backendPid = await Scalar<int>(connection, "select pg_backend_pid()");
                Assert.Equal("postgres", OwnerOf($"/proc/{backendPid}"));
                Assert.Equal("postgres", OwnerOf(folder));
            }
        }

        Assert.False(Directory.Exists(folder), "DeleteOnDispose removes the data folder");
    }

    [Fact]
    public async Task KeepDataAcrossRestartsOnTheSameFolder()
    {
        var folder = TempFolder();
        try
        {
            await using (var first = await PostgresCluster.StartAsync(new PostgresClusterOptions { DataDirectory = folder }).WaitAsync(Timeout))
            {
                await using var connection = new NpgsqlConnection(first.ConnectionString());
                await connection.OpenAsync().WaitAsync(Timeout);
                await Execute(connection, "create table kept (value text)");
                await Execute(connection, "insert into kept values ('survives a restart')");
            }

            Assert.True(Directory.Exists(folder), "DeleteOnDispose=false keeps the data folder");
            var versionFileWritten = File.GetLastWriteTimeUtc(Path.Combine(folder, "PG_VERSION"));

            var stopwatch = Stopwatch.StartNew();
            await using var second = await PostgresCluster.StartAsync(new PostgresClusterOptions { DataDirectory = folder }).WaitAsync(Timeout);
            output.WriteLine($"restart (no initdb): {stopwatch.ElapsedMilliseconds} ms");
            Assert.Equal(versionFileWritten, File.GetLastWriteTimeUtc(Path.Combine(folder, "PG_VERSION")));
            await using var again = new NpgsqlConnection(second.ConnectionString());
            await again.OpenAsync().WaitAsync(Timeout);
            Assert.Equal("survives a restart", await Scalar<string>(again, "select value from kept"));
        }
        finally
        {
            DeleteFolder(folder);
        }
    }

    [Fact]
    public async Task StartAfterACrashedPreviousRun()
    {
        var folder = TempFolder();
        try
        {
            // A run whose server gets killed (SIGKILL): postmaster.pid stays behind.
            var crashed = await PostgresCluster.StartAsync(new PostgresClusterOptions { DataDirectory = folder }).WaitAsync(Timeout);
            await using (var connection = new NpgsqlConnection(crashed.ConnectionString()))
            {
                await connection.OpenAsync().WaitAsync(Timeout);
                await Execute(connection, "create table before_crash (id int)");
                await Execute(connection, "insert into before_crash values (42)");
            }

            var pid = int.Parse(File.ReadLines(Path.Combine(folder, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
            using (var postmaster = Process.GetProcessById(pid))
            {
                // Start again at once: the killed server's processes may still hold its shared memory for a moment.
                postmaster.Kill();
            }

            Assert.True(File.Exists(Path.Combine(folder, "postmaster.pid")));

            var stopwatch = Stopwatch.StartNew();
            await using (var next = await PostgresCluster.StartAsync(new PostgresClusterOptions { DataDirectory = folder }).WaitAsync(Timeout))
            {
                output.WriteLine($"start after a killed server: {stopwatch.ElapsedMilliseconds} ms");
                await using var connection = new NpgsqlConnection(next.ConnectionString());
                await connection.OpenAsync().WaitAsync(Timeout);
                Assert.Equal(42, await Scalar<int>(connection, "select id from before_crash"));
            }

            // A process that died while its server kept running: the next start takes the folder over.
            var orphan = await PostgresCluster.StartAsync(new PostgresClusterOptions { DataDirectory = folder }).WaitAsync(Timeout);
            stopwatch.Restart();
            await using (var takeover = await PostgresCluster.StartAsync(new PostgresClusterOptions { DataDirectory = folder }).WaitAsync(Timeout))
            {
                output.WriteLine($"start over a still-running server: {stopwatch.ElapsedMilliseconds} ms");
                Assert.NotEqual(orphan.Port, takeover.Port);
                await using var connection = new NpgsqlConnection(takeover.ConnectionString());
                await connection.OpenAsync().WaitAsync(Timeout);
                Assert.Equal(42, await Scalar<int>(connection, "select id from before_crash"));

                // The old handle must not stop the server that now owns the folder.
                await orphan.StopAsync().WaitAsync(Timeout);
                Assert.Equal(1, await Scalar<int>(connection, "select 1"));
            }

            await crashed.StopAsync().WaitAsync(Timeout); // its server is long gone: a no-op
        }
        finally
        {
            DeleteFolder(folder);
        }
    }

    [Fact]
    public async Task ThrowAReadablePostgresNotFoundExceptionWhenTheBinariesAreMissing()
    {
        var folder = TempFolder();
        var missing = Path.Combine(Path.GetTempPath(), "no-postgres-here", "bin");

        var error = await Assert.ThrowsAsync<PostgresNotFoundException>(
            () => PostgresCluster.StartAsync(new PostgresClusterOptions { DataDirectory = folder, BinDirectory = missing }).WaitAsync(Timeout));

        output.WriteLine(error.Message);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("pg_ctl", error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install postgresql", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder), "nothing is created when the binaries are missing");
    }

    [Fact]
    public async Task FailClearlyWhenAnExplicitPortIsTaken()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var folder = TempFolder();
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(
                () => PostgresCluster.StartAsync(new PostgresClusterOptions { DataDirectory = folder, Port = port, Fsync = false }).WaitAsync(Timeout));
            output.WriteLine(error.Message);
            Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
            Assert.Contains("already in use", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            DeleteFolder(folder);
        }
    }

    [Fact]
    public async Task RunTwoClustersAtOnceOnDifferentPorts()
    {
        var starts = Enumerable.Range(0, 2)
            .Select(_ => PostgresCluster.StartAsync(new PostgresClusterOptions { DataDirectory = TempFolder(), DeleteOnDispose = true, Fsync = false }))
            .ToArray();
        var clusters = await Task.WhenAll(starts).WaitAsync(Timeout);
        await using var a = clusters[0];
        await using var b = clusters[1];

        Assert.NotEqual(a.Port, b.Port);
        Assert.NotEqual(a.DataDirectory, b.DataDirectory);

        await using var toA = new NpgsqlConnection(a.ConnectionString());
        await using var toB = new NpgsqlConnection(b.ConnectionString());
        await Task.WhenAll(toA.OpenAsync(), toB.OpenAsync()).WaitAsync(Timeout);
        await Execute(toA, "create table only_in_a (id int)");
        Assert.Equal(1L, await Scalar<long>(toA, "select count(*) from pg_tables where tablename = 'only_in_a'"));
        Assert.Equal(0L, await Scalar<long>(toB, "select count(*) from pg_tables where tablename = 'only_in_a'"));
        Assert.NotEqual(
            await Scalar<string>(toA, "select current_setting('data_directory')"),
            await Scalar<string>(toB, "select current_setting('data_directory')"));
    }

    internal static string TempFolder() => Path.Combine(Path.GetTempPath(), $"mpchat-probe-{Guid.NewGuid():N}");

    private static void DeleteFolder(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string OwnerOf(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%U", path]) { RedirectStandardOutput = true })!;
        var owner = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return owner;
    }

    private static async Task<T> Scalar<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync().WaitAsync(Timeout))!;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().WaitAsync(Timeout);
    }
}
