using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Marketplace.Chat.EmbeddedPostgres;

/// <summary>
/// A private PostgreSQL cluster started from the PostgreSQL binaries installed on the machine:
/// <c>initdb</c> into a data folder (first run only), then <c>pg_ctl start</c>, listening on 127.0.0.1 only.
/// The sample uses it as its embedded default database; tests and benchmarks use it as a throwaway cluster.
/// </summary>
/// <remarks>
/// <para>Every role signs in with a SCRAM password, over TCP on the loopback interface only (no Unix socket). The random
/// passwords live in the data folder (owner-only). <see cref="ConnectionString"/> is the superuser, for tests and set-up;
/// <see cref="CreateApplicationDatabaseAsync"/> gives an application a role of its own that owns its database and nothing more.
/// A cluster made by an earlier version with <c>trust</c> authentication is given passwords on its next start.</para>
/// <para>When the current process runs as root, <c>initdb</c> and <c>pg_ctl</c> run as the <c>postgres</c> OS user
/// (through <c>runuser -u postgres --</c>), because PostgreSQL refuses to run as root. The data directory is then owned by
/// <c>postgres</c>, and its parent directories are given the "others may traverse" bit (<c>o+x</c>, not read) when they lack it.</para>
/// <para>One data directory belongs to one running cluster. A server still running on the data directory (left behind by a
/// process that died without stopping it) is stopped before the new start; a stale <c>postmaster.pid</c> is removed.</para>
/// </remarks>
public sealed partial class PostgresCluster : IAsyncDisposable
{
    /// <summary>The bootstrap superuser's name.</summary>
    internal const string Superuser = "postgres";

    private const int MaxPortAttempts = 8;

    private static readonly ConcurrentDictionary<PostgresCluster, byte> Running = new();
    private static int _exitHookInstalled;

    private readonly PostgresClusterOptions _options;
    private readonly PgCtl _pgCtl;
    private readonly ClusterCredentials _credentials;
    private readonly ConcurrentDictionary<string, byte> _handedOutConnectionStrings = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private int _postmasterPid;
    private Task? _stopTask;
    private Task? _disposeTask;

    private PostgresCluster(
        PostgresClusterOptions options, PgCtl pgCtl, ClusterCredentials credentials, string binDirectory, string dataDirectory, int port)
    {
        _options = options;
        _pgCtl = pgCtl;
        _credentials = credentials;
        BinDirectory = binDirectory;
        DataDirectory = dataDirectory;
        Port = port;
    }

    /// <summary>Gets the TCP port the cluster listens on (on 127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>Gets the absolute path of the cluster's data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>Gets the folder holding the PostgreSQL binaries in use.</summary>
    public string BinDirectory { get; }

    /// <summary>Gets the server log file (pg_ctl's <c>-l</c> file) inside the data directory.</summary>
    public string LogFile => _pgCtl.LogFile;

    /// <summary>
    /// Starts a private cluster: runs <c>initdb</c> if the data folder is missing or empty, then <c>pg_ctl start</c>,
    /// and returns once a real connection succeeds.
    /// </summary>
    /// <param name="options">Where and how to run the cluster.</param>
    /// <param name="cancellationToken">Cancels the start (a half-started server is stopped).</param>
    /// <exception cref="PostgresNotFoundException">The PostgreSQL binaries (pg_ctl, initdb) cannot be found.</exception>
    /// <exception cref="InvalidOperationException">initdb or the server start failed; the message includes the output and log tail.</exception>
    public static async Task<PostgresCluster> StartAsync(PostgresClusterOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DataDirectory);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, IPEndPoint.MaxPort);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConnections, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.StartTimeout, TimeSpan.Zero);
        var settings = ServerSettings.Build(options);

        var binDirectory = PostgresBinaries.Resolve(options.BinDirectory);
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        var runAsPostgres = ProcessRunner.IsRoot;
        var pgCtl = new PgCtl(binDirectory, dataDirectory, runAsPostgres);

        await DataDirectoryFiles.PrepareAsync(dataDirectory, runAsPostgres, cancellationToken).ConfigureAwait(false);

        ClusterCredentials credentials;
        var madeWithTrust = false;
        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            credentials = ClusterCredentials.CreateNew();
            await pgCtl.InitDbAsync(credentials.SuperuserPassword, options.Fsync, cancellationToken).ConfigureAwait(false);
            credentials.Save(dataDirectory);
            ClientAuthentication.Write(dataDirectory);
        }
        else
        {
            await pgCtl.StopLeftoverServerAsync(cancellationToken).ConfigureAwait(false);
            var saved = ClusterCredentials.Load(dataDirectory);
            madeWithTrust = saved is null;
            credentials = saved ?? ClusterCredentials.CreateNew();
            if (!madeWithTrust)
            {
                ClientAuthentication.Write(dataDirectory);
            }
        }

        DataDirectoryFiles.RotateLogIfLarge(pgCtl.LogFile);

        var attempts = options.Port == 0 ? MaxPortAttempts : 1;
        var leftoverRetries = 25;
        for (var attempt = 1; ; attempt++)
        {
            var port = options.Port != 0 ? LoopbackPorts.ReserveExplicit(options.Port) : LoopbackPorts.ReserveFree();
            var keepReservation = false;
            try
            {
                var (started, failure, portBusy) = await pgCtl.TryStartAsync(port, settings, options.StartTimeout, cancellationToken).ConfigureAwait(false);
                if (!started)
                {
                    if (portBusy && attempt < attempts)
                    {
                        continue;
                    }

                    if (leftoverRetries-- > 0 && PgCtl.IsCrashLeftover(failure))
                    {
                        // Processes of a killed server still hold its shared memory for a moment: try again shortly.
                        await Task.Delay(200, cancellationToken).ConfigureAwait(false);
                        attempt--;
                        continue;
                    }

                    throw new InvalidOperationException(
                        portBusy && options.Port != 0
                            ? $"PostgreSQL could not listen on 127.0.0.1:{port}: the port is already in use. Choose another port or use port 0 (pick a free one).{Environment.NewLine}{failure}"
                            : failure);
                }

                var cluster = new PostgresCluster(options, pgCtl, credentials, binDirectory, dataDirectory, port)
                {
                    _postmasterPid = DataDirectoryFiles.ReadPostmasterPid(dataDirectory),
                };
                try
                {
                    await cluster.WaitUntilAcceptingConnectionsAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
                    if (madeWithTrust)
                    {
                        await cluster.ReplaceTrustWithPasswordsAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
                catch
                {
                    await cluster.StopAsync().ConfigureAwait(false);
                    throw;
                }

                keepReservation = true;
                Running.TryAdd(cluster, 0);
                InstallExitHook();
                return cluster;
            }
            finally
            {
                if (!keepReservation)
                {
                    LoopbackPorts.Release(port);
                }
            }
        }
    }

    /// <summary>An Npgsql connection string to <paramref name="database"/> on this cluster as the superuser <c>postgres</c>, with its password.</summary>
    /// <param name="database">The database name; <c>postgres</c> by default.</param>
    public string ConnectionString(string database = "postgres") => ConnectionStringFor(database, Superuser, _credentials.SuperuserPassword);

    /// <summary>Creates the database <paramref name="name"/>, owned by the superuser, unless it already exists (safe to call concurrently).</summary>
    /// <param name="name">Database name (at most 63 bytes); any characters, it is quoted.</param>
    /// <param name="ct">Cancellation.</param>
    public Task CreateDatabaseAsync(string name, CancellationToken ct = default) => CreateDatabaseAsync(name, owner: null, ct);

    /// <summary>Stops the server (<c>pg_ctl stop -m fast</c>). Idempotent. The data stays unless disposed with DeleteOnDispose.</summary>
    public Task StopAsync()
    {
        lock (_gate)
        {
            return _stopTask ??= StopCoreAsync();
        }
    }

    /// <summary>Stops the server and, when <see cref="PostgresClusterOptions.DeleteOnDispose"/> is set, deletes the data directory.</summary>
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposeTask ??= DisposeCoreAsync();
            return new ValueTask(_disposeTask);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"PostgreSQL cluster on 127.0.0.1:{Port} ({DataDirectory})";

    private string ConnectionStringFor(string database, string role, string password)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = role,
            Password = password,
            Database = database,
            IncludeErrorDetail = true,
        };
        var connectionString = builder.ConnectionString;
        _handedOutConnectionStrings.TryAdd(connectionString, 0);
        return connectionString;
    }

    private async Task CreateDatabaseAsync(string name, string? owner, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (Encoding.UTF8.GetByteCount(name) > 63)
        {
            throw new ArgumentException($"PostgreSQL database names are limited to 63 bytes: '{name}'.", nameof(name));
        }

        var connection = new NpgsqlConnection(ConnectionString());
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            var exists = new NpgsqlCommand("select 1 from pg_database where datname = @name", connection);
            await using (exists.ConfigureAwait(false))
            {
                exists.Parameters.AddWithValue("name", name);
                if (await exists.ExecuteScalarAsync(ct).ConfigureAwait(false) is not null)
                {
                    return;
                }
            }

            var sql = "create database " + Quote(name) + (owner is null ? string.Empty : " owner " + Quote(owner));
            var create = new NpgsqlCommand(sql, connection);
            await using (create.ConfigureAwait(false))
            {
                try
                {
                    await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
                catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
                {
                    // Created concurrently by someone else: that is what we wanted.
                }
            }
        }
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private async Task DisposeCoreAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_options.DeleteOnDispose)
        {
            await DataDirectoryFiles.DeleteDirectoryAsync(DataDirectory).ConfigureAwait(false);
        }
    }

    private async Task StopCoreAsync()
    {
        Running.TryRemove(this, out _);
        ClearPools();
        try
        {
            if (DataDirectoryFiles.ReadPostmasterPid(DataDirectory) != _postmasterPid)
            {
                // Our server is gone, and any server now on this folder belongs to someone else: leave it alone.
                return;
            }

            await _pgCtl.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            LoopbackPorts.Release(Port);
        }
    }

    private void ClearPools()
    {
        foreach (var connectionString in _handedOutConnectionStrings.Keys)
        {
            using var connection = new NpgsqlConnection(connectionString);
            NpgsqlConnection.ClearPool(connection);
        }
    }

    private async Task WaitUntilAcceptingConnectionsAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString())
        {
            Pooling = false,
            Timeout = 5,
        };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var connection = new NpgsqlConnection(builder.ConnectionString);
                await using (connection.ConfigureAwait(false))
                {
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                    var command = new NpgsqlCommand("select 1", connection);
                    await using (command.ConfigureAwait(false))
                    {
                        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                return;
            }
            catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException && deadline.Elapsed < timeout)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL started (pg_ctl) but did not accept connections on 127.0.0.1:{Port} within {timeout.TotalSeconds:0} s.{Environment.NewLine}" +
                    DataDirectoryFiles.ReadLogTail(LogFile, 0),
                    e);
            }
        }
    }

    private static void InstallExitHook()
    {
        if (Interlocked.Exchange(ref _exitHookInstalled, 1) == 0)
        {
            // Stop servers this process started and did not stop (e.g. Ctrl+C on the sample), so they are not orphaned.
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                foreach (var cluster in Running.Keys)
                {
                    try
                    {
                        cluster.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
                    }
                    catch (AggregateException)
                    {
                        // Exiting anyway.
                    }
                }
            };
        }
    }
}
