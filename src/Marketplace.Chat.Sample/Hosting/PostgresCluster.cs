using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace Marketplace.Chat.Sample.Hosting;

/// <summary>
/// A private PostgreSQL cluster started from the PostgreSQL binaries installed on the machine:
/// <c>initdb</c> into a data folder (first run only), then <c>pg_ctl start</c>, listening on 127.0.0.1 only.
/// The sample uses it as its embedded default database; tests use it as a throwaway cluster.
/// </summary>
/// <remarks>
/// <para>Authentication is <c>trust</c>: the cluster is private, bound to the loopback interface only and has no Unix socket,
/// so only processes on this machine can reach it. Never point it at a public interface.</para>
/// <para>When the current process runs as root, <c>initdb</c> and <c>pg_ctl</c> run as the <c>postgres</c> OS user
/// (through <c>runuser -u postgres --</c>), because PostgreSQL refuses to run as root. The data directory is then owned by
/// <c>postgres</c>, and its parent directories are given the "others may traverse" bit (<c>o+x</c>, not read) when they lack it.</para>
/// <para>One data directory belongs to one running cluster. A server still running on the data directory (left behind by a
/// process that died without stopping it) is stopped before the new start; a stale <c>postmaster.pid</c> is removed.</para>
/// </remarks>
public sealed partial class PostgresCluster : IAsyncDisposable
{
    private const string LogFileName = "postgres.log";
    private const long MaxLogBytes = 10 * 1024 * 1024;
    private const int MaxPortAttempts = 8;
    private const string InstallHint =
        "Install the PostgreSQL server package (Debian/Ubuntu: 'apt-get install postgresql'; Fedora: 'dnf install postgresql-server'; " +
        "macOS: 'brew install postgresql'), or set PostgresClusterOptions.BinDirectory to the folder that holds pg_ctl and initdb.";

    private static readonly ConcurrentDictionary<PostgresCluster, byte> Running = new();
    private static readonly ConcurrentDictionary<int, byte> ReservedPorts = new();
    private static int _exitHookInstalled;

    private readonly PostgresClusterOptions _options;
    private readonly string _binDirectory;
    private readonly bool _runAsPostgres;
    private readonly ConcurrentDictionary<string, byte> _handedOutConnectionStrings = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private int _postmasterPid;
    private Task? _stopTask;
    private Task? _disposeTask;

    private PostgresCluster(PostgresClusterOptions options, string binDirectory, string dataDirectory, int port, bool runAsPostgres)
    {
        _options = options;
        _binDirectory = binDirectory;
        DataDirectory = dataDirectory;
        Port = port;
        _runAsPostgres = runAsPostgres;
    }

    /// <summary>The TCP port the cluster listens on (on 127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>The absolute path of the cluster's data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>The folder holding the PostgreSQL binaries in use.</summary>
    public string BinDirectory => _binDirectory;

    /// <summary>The server log file (pg_ctl's <c>-l</c> file) inside the data directory.</summary>
    public string LogFile => Path.Combine(DataDirectory, LogFileName);

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
        var settings = BuildSettings(options);

        var binDirectory = ResolveBinDirectory(options.BinDirectory);
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        var runAsPostgres = IsRoot();

        await PrepareDataDirectoryAsync(dataDirectory, runAsPostgres, cancellationToken).ConfigureAwait(false);

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            await InitDbAsync(binDirectory, dataDirectory, options, runAsPostgres, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await StopLeftoverServerAsync(binDirectory, dataDirectory, runAsPostgres, cancellationToken).ConfigureAwait(false);
        }

        RotateLogIfLarge(Path.Combine(dataDirectory, LogFileName));

        var attempts = options.Port == 0 ? MaxPortAttempts : 1;
        var leftoverRetries = 25;
        for (var attempt = 1; ; attempt++)
        {
            var port = options.Port != 0 ? ReserveExplicitPort(options.Port) : ReserveFreePort();
            var keepReservation = false;
            try
            {
                var (started, failure, portBusy) = await TryPgCtlStartAsync(
                    binDirectory, dataDirectory, port, settings, options.StartTimeout, runAsPostgres, cancellationToken).ConfigureAwait(false);
                if (!started)
                {
                    if (portBusy && attempt < attempts)
                    {
                        continue;
                    }

                    if (leftoverRetries-- > 0 && IsCrashLeftover(failure))
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

                var cluster = new PostgresCluster(options, binDirectory, dataDirectory, port, runAsPostgres)
                {
                    _postmasterPid = ReadPostmasterPid(dataDirectory),
                };
                try
                {
                    await cluster.WaitUntilAcceptingConnectionsAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
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
                    ReservedPorts.TryRemove(port, out _);
                }
            }
        }
    }

    /// <summary>An Npgsql connection string to <paramref name="database"/> on this cluster, as user <c>postgres</c> (trust authentication on loopback).</summary>
    /// <param name="database">The database name; <c>postgres</c> by default.</param>
    public string ConnectionString(string database = "postgres")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Database = database,
            IncludeErrorDetail = true,
        };
        var connectionString = builder.ConnectionString;
        _handedOutConnectionStrings.TryAdd(connectionString, 0);
        return connectionString;
    }

    /// <summary>Creates the database <paramref name="name"/> unless it already exists (safe to call concurrently).</summary>
    /// <param name="name">Database name (at most 63 bytes); any characters, it is quoted.</param>
    /// <param name="ct">Cancellation.</param>
    public async Task CreateDatabaseAsync(string name, CancellationToken ct = default)
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

            var create = new NpgsqlCommand(CreateDatabaseSql(name), connection);
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

    private async Task DisposeCoreAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_options.DeleteOnDispose)
        {
            await DeleteDirectoryAsync(DataDirectory).ConfigureAwait(false);
        }
    }

    private async Task StopCoreAsync()
    {
        Running.TryRemove(this, out _);
        ClearPools();
        try
        {
            if (ReadPostmasterPid(DataDirectory) != _postmasterPid)
            {
                // Our server is gone, and any server now on this folder belongs to someone else: leave it alone.
                return;
            }

            var result = await RunAsync(
                PgTool(_binDirectory, "pg_ctl"),
                ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "-s"],
                _runAsPostgres,
                TimeSpan.FromSeconds(70),
                CancellationToken.None).ConfigureAwait(false);

            // Exit code 1 with "PID file ... does not exist" means it is already stopped: fine.
            if (result.ExitCode != 0 && IsServerRunning(DataDirectory))
            {
                throw new InvalidOperationException(
                    $"pg_ctl stop failed for {DataDirectory} (exit code {result.ExitCode}).{Environment.NewLine}{result.Output}");
            }
        }
        finally
        {
            ReservedPorts.TryRemove(Port, out _);
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
                    ReadLogTail(LogFile, 0),
                    e);
            }
        }
    }

    private static string[] BuildSettings(PostgresClusterOptions options)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["listen_addresses"] = "127.0.0.1",
            ["unix_socket_directories"] = "''", // no Unix socket: nothing depends on /var/run/postgresql, and paths can be too long.
            ["max_connections"] = options.MaxConnections.ToString(CultureInfo.InvariantCulture),
            ["fsync"] = options.Fsync ? "on" : "off",
        };
        if (!options.Fsync)
        {
            settings["synchronous_commit"] = "off";
            settings["full_page_writes"] = "off";
        }

        if (!string.IsNullOrWhiteSpace(options.SharedBuffers))
        {
            settings["shared_buffers"] = options.SharedBuffers;
        }

        if (options.Settings is not null)
        {
            foreach (var (name, value) in options.Settings)
            {
                settings[name] = value;
            }
        }

        var arguments = new List<string>();
        foreach (var (name, value) in settings)
        {
            // pg_ctl hands -o to /bin/sh: only allow shell-inert names and values (the '' for the socket folder is ours).
            if (!SafeSettingName().IsMatch(name) || (value != "''" && !SafeSettingValue().IsMatch(value)))
            {
                throw new ArgumentException(
                    $"Unsupported PostgreSQL setting '{name}={value}': names are [a-z0-9_.], values [A-Za-z0-9_.:,/+-].", nameof(options));
            }

            arguments.Add($"-c {name}={value}");
        }

        return [.. arguments];
    }

    private static async Task InitDbAsync(string binDirectory, string dataDirectory, PostgresClusterOptions options, bool runAsPostgres, CancellationToken cancellationToken)
    {
        List<string> arguments =
        [
            "-D", dataDirectory,
            "-U", "postgres",
            "--auth=trust", // private loopback-only cluster, see the class remarks
            "--encoding=UTF8",
            "--locale=C",
            "--no-instructions",
        ];
        if (!options.Fsync)
        {
            arguments.Add("--no-sync");
        }

        var result = await RunAsync(PgTool(binDirectory, "initdb"), arguments, runAsPostgres, TimeSpan.FromMinutes(2), cancellationToken)
            .ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"initdb failed for '{dataDirectory}' (exit code {result.ExitCode}).{Environment.NewLine}{Tail(result.Output, 40)}");
        }
    }

    private static async Task<(bool Started, string Failure, bool PortBusy)> TryPgCtlStartAsync(
        string binDirectory, string dataDirectory, int port, string[] settings, TimeSpan timeout, bool runAsPostgres, CancellationToken cancellationToken)
    {
        var logFile = Path.Combine(dataDirectory, LogFileName);
        var logOffset = File.Exists(logFile) ? new FileInfo(logFile).Length : 0;
        var serverOptions = $"-p {port.ToString(CultureInfo.InvariantCulture)} {string.Join(' ', settings)}";
        var waitSeconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

        ProcessResult result;
        try
        {
            result = await RunAsync(
                PgTool(binDirectory, "pg_ctl"),
                ["start", "-D", dataDirectory, "-l", logFile, "-w", "-t", waitSeconds, "-s", "-o", serverOptions],
                runAsPostgres,
                timeout + TimeSpan.FromSeconds(10),
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await StopQuietlyAsync(binDirectory, dataDirectory, runAsPostgres).ConfigureAwait(false);
            throw;
        }

        if (result.ExitCode == 0)
        {
            return (true, string.Empty, false);
        }

        var logTail = ReadLogTail(logFile, logOffset);
        var portBusy = logTail.Contains("could not bind", StringComparison.OrdinalIgnoreCase)
            || logTail.Contains("Address already in use", StringComparison.OrdinalIgnoreCase);
        if (IsServerRunning(dataDirectory))
        {
            // -w timed out while the server is still starting (or stuck): do not leave it behind.
            await StopQuietlyAsync(binDirectory, dataDirectory, runAsPostgres).ConfigureAwait(false);
        }

        var failure =
            $"pg_ctl start failed for '{dataDirectory}' on port {port} (exit code {result.ExitCode}).{Environment.NewLine}" +
            $"pg_ctl output:{Environment.NewLine}{Tail(result.Output, 20)}{Environment.NewLine}" +
            $"Server log ({logFile}):{Environment.NewLine}{logTail}";
        return (false, failure, portBusy);
    }

    private static async Task StopLeftoverServerAsync(string binDirectory, string dataDirectory, bool runAsPostgres, CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return;
        }

        var pid = ReadPostmasterPid(dataDirectory);
        if (IsServerRunning(dataDirectory))
        {
            // A server left behind by a process that died without stopping it: ask it for a fast shutdown (SIGINT), then
            // start with our settings. Not "pg_ctl stop": it waits for a killed postmaster's zombie to be reaped, which can be slow.
            var result = await RunAsync(
                PgTool(binDirectory, "pg_ctl"),
                ["kill", "INT", pid.ToString(CultureInfo.InvariantCulture)],
                runAsPostgres,
                TimeSpan.FromSeconds(30),
                cancellationToken).ConfigureAwait(false);
            var deadline = Stopwatch.StartNew();
            while (IsServerRunning(dataDirectory))
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new InvalidOperationException(
                        $"A PostgreSQL server (PID {pid}) is already running on '{dataDirectory}' and did not stop within 60 s.{Environment.NewLine}{result.Output}");
                }

                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }
        }

        // Whatever is left is a stale lock file (its PID is gone, a zombie, or now belongs to another program).
        TryDelete(pidFile);
    }

    private static async Task StopQuietlyAsync(string binDirectory, string dataDirectory, bool runAsPostgres)
    {
        try
        {
            await RunAsync(
                PgTool(binDirectory, "pg_ctl"),
                ["stop", "-D", dataDirectory, "-m", "immediate", "-w", "-t", "30", "-s"],
                runAsPostgres,
                TimeSpan.FromSeconds(40),
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Best effort on an error path.
        }
    }

    private static bool IsCrashLeftover(string failure) =>
        failure.Contains("pre-existing shared memory block", StringComparison.OrdinalIgnoreCase)
        || failure.Contains("lock file \"postmaster.pid\" already exists", StringComparison.OrdinalIgnoreCase);

    /// <summary>The PID recorded in postmaster.pid, or 0 when there is none.</summary>
    private static int ReadPostmasterPid(string dataDirectory)
    {
        try
        {
            using var reader = new StreamReader(Path.Combine(dataDirectory, "postmaster.pid"));
            return int.TryParse(reader.ReadLine()?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>True when postmaster.pid names a live process that is a PostgreSQL server.</summary>
    private static bool IsServerRunning(string dataDirectory)
    {
        var pid = ReadPostmasterPid(dataDirectory);
        if (pid == 0)
        {
            return false;
        }

        var stat = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat";
        if (OperatingSystem.IsLinux() && Directory.Exists("/proc/self"))
        {
            // "pid (comm) state ...": a killed postmaster may linger as a zombie (state Z) until reaped; it is not running.
            try
            {
                var text = File.ReadAllText(stat);
                var open = text.IndexOf('(', StringComparison.Ordinal);
                var close = text.LastIndexOf(')');
                if (open < 0 || close < open || close + 2 >= text.Length)
                {
                    return false;
                }

                var name = text[(open + 1)..close];
                var state = text[close + 2];
                return name.StartsWith("postgres", StringComparison.Ordinal) && state is not ('Z' or 'X' or 'x');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false; // no such process
            }
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && process.ProcessName.StartsWith("postgres", StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task PrepareDataDirectoryAsync(string dataDirectory, bool runAsPostgres, CancellationToken cancellationToken)
    {
        var existed = Directory.Exists(dataDirectory);
        Directory.CreateDirectory(dataDirectory);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (!existed || !runAsPostgres)
        {
            File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (!runAsPostgres)
        {
            return;
        }

        // postgres must be able to reach the folder: give "others may traverse" (x, not r) to parents that lack it.
        for (var parent = Path.GetDirectoryName(dataDirectory); !string.IsNullOrEmpty(parent); parent = Path.GetDirectoryName(parent))
        {
            var mode = File.GetUnixFileMode(parent);
            if ((mode & UnixFileMode.OtherExecute) == 0)
            {
                File.SetUnixFileMode(parent, mode | UnixFileMode.OtherExecute);
            }
        }

        var chown = await RunAsync("chown", ["postgres:", dataDirectory], asPostgres: false, TimeSpan.FromSeconds(30), cancellationToken)
            .ConfigureAwait(false);
        if (chown.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"Running as root, the data directory must belong to the 'postgres' user (PostgreSQL refuses to run as root), but 'chown postgres: {dataDirectory}' failed " +
                $"(exit code {chown.ExitCode}). Does the 'postgres' user exist? (it comes with the postgresql package; or: useradd --system postgres){Environment.NewLine}{chown.Output}");
        }
    }

    private static string ResolveBinDirectory(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var full = Path.GetFullPath(configured);
            if (HasTools(full))
            {
                return full;
            }

            throw new PostgresNotFoundException(
                $"PostgreSQL binaries not found in '{full}': pg_ctl and initdb are required there. {InstallHint}");
        }

        var candidates = new List<string>();
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            candidates.AddRange(
                Directory.GetDirectories(debianRoot)
                    .Select(d => (Path: d, Version: double.TryParse(Path.GetFileName(d), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : -1))
                    .Where(d => d.Version >= 0)
                    .OrderByDescending(d => d.Version)
                    .Select(d => Path.Combine(d.Path, "bin")));
        }

        candidates.Add("/usr/local/pgsql/bin");
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        candidates.AddRange(path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        foreach (var candidate in candidates)
        {
            if (HasTools(candidate))
            {
                return candidate;
            }
        }

        throw new PostgresNotFoundException(
            $"PostgreSQL binaries (pg_ctl, initdb) were not found in /usr/lib/postgresql/<version>/bin, /usr/local/pgsql/bin or on the PATH. {InstallHint}");
    }

    private static bool HasTools(string directory) =>
        File.Exists(PgTool(directory, "pg_ctl")) && File.Exists(PgTool(directory, "initdb"));

    private static string PgTool(string binDirectory, string name) =>
        Path.Combine(binDirectory, OperatingSystem.IsWindows() ? name + ".exe" : name);

    private static bool IsRoot() => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    private static int ReserveFreePort()
    {
        for (var i = 0; i < 100; i++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (ReservedPorts.TryAdd(port, 0))
            {
                return port;
            }
        }

        throw new InvalidOperationException("Could not find a free TCP port on 127.0.0.1.");
    }

    private static int ReserveExplicitPort(int port)
    {
        if (!ReservedPorts.TryAdd(port, 0))
        {
            throw new InvalidOperationException($"Port {port} is already used by another PostgresCluster in this process.");
        }

        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return port;
        }
        catch (SocketException e)
        {
            ReservedPorts.TryRemove(port, out _);
            throw new InvalidOperationException(
                $"Cannot start PostgreSQL on 127.0.0.1:{port}: the port is already in use ({e.SocketErrorCode}). Choose another port, or 0 to pick a free one.", e);
        }
    }

    private static void RotateLogIfLarge(string logFile)
    {
        try
        {
            if (File.Exists(logFile) && new FileInfo(logFile).Length > MaxLogBytes)
            {
                File.Move(logFile, logFile + ".old", overwrite: true);
            }
        }
        catch (IOException)
        {
            // Keep the big log rather than fail the start.
        }
    }

    private static string ReadLogTail(string logFile, long offset)
    {
        try
        {
            using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (offset > 0 && offset <= stream.Length)
            {
                stream.Seek(offset, SeekOrigin.Begin);
            }

            using var reader = new StreamReader(stream);
            return Tail(reader.ReadToEnd(), 30);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"(log not readable: {e.Message})";
        }
    }

    private static string Tail(string text, int lines)
    {
        var all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(Environment.NewLine, all.Skip(Math.Max(0, all.Length - lines)).Select(l => l.TrimEnd('\r')));
    }

    private static string CreateDatabaseSql(string name) => $"create database \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static async Task DeleteDirectoryAsync(string directory)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }

                return;
            }
            catch (IOException) when (attempt < 10)
            {
                // A just-stopped server may still be releasing files.
                await Task.Delay(100).ConfigureAwait(false);
            }
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
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

    private static async Task<ProcessResult> RunAsync(
        string fileName, IReadOnlyList<string> arguments, bool asPostgres, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            // The postgres user may not be able to enter our working directory (e.g. /root/...).
            WorkingDirectory = OperatingSystem.IsWindows() ? Path.GetTempPath() : "/",
        };
        if (asPostgres)
        {
            startInfo.FileName = FindRunuser();
            startInfo.ArgumentList.Add("-u");
            startInfo.ArgumentList.Add("postgres");
            startInfo.ArgumentList.Add("--");
            startInfo.ArgumentList.Add(fileName);
        }
        else
        {
            startInfo.FileName = fileName;
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["LC_ALL"] = "C"; // English messages, which the port-busy detection reads
        startInfo.Environment.Remove("PGDATA");
        startInfo.Environment.Remove("PGPORT");

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Could not run '{startInfo.FileName}': {e.Message}", e);
        }

        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException(
                $"'{Path.GetFileName(fileName)} {string.Join(' ', arguments)}' did not finish within {timeout.TotalSeconds:0} s.");
        }

        var output = (await stdout.ConfigureAwait(false)) + (await stderr.ConfigureAwait(false));
        return new ProcessResult(process.ExitCode, output.Trim());
    }

    private static string FindRunuser()
    {
        foreach (var candidate in new[] { "/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return "runuser";
    }

    [GeneratedRegex("^[a-z][a-z0-9_.]*$")]
    private static partial Regex SafeSettingName();

    [GeneratedRegex("^[A-Za-z0-9_.:,/+-]+$")]
    private static partial Regex SafeSettingValue();

    private readonly record struct ProcessResult(int ExitCode, string Output);
}

/// <summary>Options for <see cref="PostgresCluster.StartAsync"/>.</summary>
public sealed class PostgresClusterOptions
{
    /// <summary>The data folder. Created and initialised (initdb) when missing or empty; reused as is otherwise.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The TCP port on 127.0.0.1; 0 (the default) picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Delete the data folder when the cluster is disposed (throwaway test clusters).</summary>
    public bool DeleteOnDispose { get; init; }

    /// <summary>The folder holding pg_ctl and initdb. Default: the highest /usr/lib/postgresql/&lt;version&gt;/bin, /usr/local/pgsql/bin, or the PATH.</summary>
    public string? BinDirectory { get; init; }

    /// <summary>Durable writes (default true). False turns fsync, synchronous_commit and full_page_writes off and skips initdb's sync: for throwaway clusters only.</summary>
    public bool Fsync { get; init; } = true;

    /// <summary>max_connections (default 200: tests open many connections at once; benchmarks may need more).</summary>
    public int MaxConnections { get; init; } = 200;

    /// <summary>shared_buffers, e.g. "256MB"; null keeps PostgreSQL's default (128MB).</summary>
    public string? SharedBuffers { get; init; }

    /// <summary>Extra server settings passed as <c>-c name=value</c> on each start (e.g. <c>log_min_duration_statement=200</c>).</summary>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }

    /// <summary>How long to wait for the server to accept connections (default 30 s).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>The PostgreSQL server binaries (pg_ctl, initdb) could not be found on this machine.</summary>
public sealed class PostgresNotFoundException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public PostgresNotFoundException()
        : base("PostgreSQL binaries (pg_ctl, initdb) were not found. Install the postgresql package (e.g. apt-get install postgresql).")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was searched and how to fix it.</param>
    public PostgresNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was searched and how to fix it.</param>
    /// <param name="innerException">The cause.</param>
    public PostgresNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
