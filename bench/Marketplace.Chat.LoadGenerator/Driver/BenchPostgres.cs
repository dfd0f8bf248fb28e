using System.Globalization;
using Marketplace.Chat.EmbeddedPostgres;
using Npgsql;

namespace Marketplace.Chat.LoadGenerator.Driver;

/// <summary>
/// A private PostgreSQL cluster for one load-generator run, with default durability (fsync on, synchronous_commit on,
/// full_page_writes on), deleted afterwards. Every run gets its own database.
/// </summary>
internal sealed class BenchPostgres : IAsyncDisposable
{
    private readonly PostgresCluster _cluster;
    private int _databases;

    private BenchPostgres(PostgresCluster cluster)
    {
        _cluster = cluster;
        PostmasterPid = ReadPostmasterPid(cluster.DataDirectory);
    }

    public int PostmasterPid { get; }

    public string Version { get; private set; } = "";

    public string Durability { get; private set; } = "";

    public static async Task<BenchPostgres> StartAsync(int maxConnections)
    {
        var cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), $"mpchat-bench-{Guid.NewGuid():N}"),
            DeleteOnDispose = true,
            Fsync = true,
            MaxConnections = maxConnections,
        });
        var postgres = new BenchPostgres(cluster);
        await using var connection = new NpgsqlConnection(cluster.ConnectionString());
        await connection.OpenAsync();
        postgres.Version = (string)(await new NpgsqlCommand("SHOW server_version", connection).ExecuteScalarAsync())!;
        var settings = new List<string>();
        foreach (var name in new[] { "fsync", "synchronous_commit", "full_page_writes", "wal_sync_method", "max_connections", "shared_buffers" })
        {
            await using var show = new NpgsqlCommand("SHOW " + name, connection);
            settings.Add($"{name}={await show.ExecuteScalarAsync()}");
        }

        postgres.Durability = string.Join(", ", settings);
        return postgres;
    }

    /// <summary>Creates a fresh database and returns its connection string with <paramref name="poolSize"/> as Maximum Pool Size.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix, int poolSize)
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture)}";
        await _cluster.CreateDatabaseAsync(name);
        return new NpgsqlConnectionStringBuilder(_cluster.ConnectionString(name)) { MaxPoolSize = poolSize }.ConnectionString;
    }

    /// <summary>Waits (bounded) until <paramref name="needed"/> more connections fit under max_connections: a server that just stopped may still hold backends.</summary>
    public async Task WaitForFreeConnectionsAsync(int needed, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_cluster.ConnectionString()) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        while (true)
        {
            await using var command = new NpgsqlCommand(
                "SELECT current_setting('max_connections')::int - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')", connection);
            var free = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            if (free >= needed || DateTime.UtcNow > until)
            {
                return;
            }

            await Task.Delay(250);
        }
    }

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();

    private static int ReadPostmasterPid(string dataDirectory)
    {
        try
        {
            var first = File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
