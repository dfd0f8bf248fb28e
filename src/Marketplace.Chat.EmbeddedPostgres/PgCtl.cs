using System.Diagnostics;
using System.Globalization;

namespace Marketplace.Chat.EmbeddedPostgres;

/// <summary><c>initdb</c> and <c>pg_ctl</c> on one data folder: create, start, stop, and clear what a dead process left behind.</summary>
internal sealed class PgCtl(string binDirectory, string dataDirectory, bool runAsPostgres)
{
    public string LogFile { get; } = Path.Combine(dataDirectory, DataDirectoryFiles.LogFileName);

    /// <summary>Creates the cluster with SCRAM password authentication for the superuser <c>postgres</c>.</summary>
    public async Task InitDbAsync(string superuserPassword, bool fsync, CancellationToken cancellationToken)
    {
        // initdb reads the password from a file; keep it in a private folder only postgres (or we) can read, and only for the call.
        var passwordFolder = Path.Combine(Path.GetTempPath(), "mpchat-initdb-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(passwordFolder);
        var passwordFile = Path.Combine(passwordFolder, "pwfile");
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(passwordFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            await File.WriteAllTextAsync(passwordFile, superuserPassword + "\n", cancellationToken).ConfigureAwait(false);
            if (runAsPostgres)
            {
                await ProcessRunner.ChownToPostgresAsync(passwordFolder, cancellationToken).ConfigureAwait(false);
                await ProcessRunner.ChownToPostgresAsync(passwordFile, cancellationToken).ConfigureAwait(false);
            }

            List<string> arguments =
            [
                "-D", dataDirectory,
                "-U", PostgresCluster.Superuser,
                "--auth=scram-sha-256",
                "--pwfile=" + passwordFile,
                "--encoding=UTF8",
                "--locale=C",
                "--no-instructions",
            ];
            if (!fsync)
            {
                arguments.Add("--no-sync");
            }

            var result = await ProcessRunner.RunAsync(
                PostgresBinaries.Tool(binDirectory, "initdb"), arguments, runAsPostgres, TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"initdb failed for '{dataDirectory}' (exit code {result.ExitCode}).{Environment.NewLine}{DataDirectoryFiles.Tail(result.Output, 40)}");
            }
        }
        finally
        {
            Directory.Delete(passwordFolder, recursive: true);
        }
    }

    /// <summary>Starts the server on <paramref name="port"/> and waits for it; on failure says why, and whether the port was taken.</summary>
    public async Task<(bool Started, string Failure, bool PortBusy)> TryStartAsync(
        int port, string[] settings, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var logOffset = File.Exists(LogFile) ? new FileInfo(LogFile).Length : 0;
        var serverOptions = $"-p {port.ToString(CultureInfo.InvariantCulture)} {string.Join(' ', settings)}";
        var waitSeconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

        ProcessResult result;
        try
        {
            result = await RunPgCtlAsync(
                ["start", "-D", dataDirectory, "-l", LogFile, "-w", "-t", waitSeconds, "-s", "-o", serverOptions],
                timeout + TimeSpan.FromSeconds(10),
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await StopQuietlyAsync().ConfigureAwait(false);
            throw;
        }

        if (result.ExitCode == 0)
        {
            return (true, string.Empty, false);
        }

        var logTail = DataDirectoryFiles.ReadLogTail(LogFile, logOffset);
        var portBusy = logTail.Contains("could not bind", StringComparison.OrdinalIgnoreCase)
            || logTail.Contains("Address already in use", StringComparison.OrdinalIgnoreCase);
        if (DataDirectoryFiles.IsServerRunning(dataDirectory))
        {
            // -w timed out while the server is still starting (or stuck): do not leave it behind.
            await StopQuietlyAsync().ConfigureAwait(false);
        }

        var failure =
            $"pg_ctl start failed for '{dataDirectory}' on port {port} (exit code {result.ExitCode}).{Environment.NewLine}" +
            $"pg_ctl output:{Environment.NewLine}{DataDirectoryFiles.Tail(result.Output, 20)}{Environment.NewLine}" +
            $"Server log ({LogFile}):{Environment.NewLine}{logTail}";
        return (false, failure, portBusy);
    }

    /// <summary>A fast shutdown (<c>pg_ctl stop -m fast</c>); an already stopped server is fine.</summary>
    public async Task StopAsync()
    {
        var result = await RunPgCtlAsync(
            ["stop", "-D", dataDirectory, "-m", "fast", "-w", "-t", "60", "-s"], TimeSpan.FromSeconds(70), CancellationToken.None).ConfigureAwait(false);

        // Exit code 1 with "PID file ... does not exist" means it is already stopped: fine.
        if (result.ExitCode != 0 && DataDirectoryFiles.IsServerRunning(dataDirectory))
        {
            throw new InvalidOperationException(
                $"pg_ctl stop failed for {dataDirectory} (exit code {result.ExitCode}).{Environment.NewLine}{result.Output}");
        }
    }

    /// <summary>Stops a server left behind on the folder by a process that died without stopping it, and removes a stale PID file.</summary>
    public async Task StopLeftoverServerAsync(CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return;
        }

        var pid = DataDirectoryFiles.ReadPostmasterPid(dataDirectory);
        if (DataDirectoryFiles.IsServerRunning(dataDirectory))
        {
            // Ask it for a fast shutdown (SIGINT), then start with our settings. Not "pg_ctl stop": it waits for a killed
            // postmaster's zombie to be reaped, which can be slow.
            var result = await RunPgCtlAsync(
                ["kill", "INT", pid.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            var deadline = Stopwatch.StartNew();
            while (DataDirectoryFiles.IsServerRunning(dataDirectory))
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
        DataDirectoryFiles.TryDelete(pidFile);
    }

    /// <summary>True when a start failed only because a killed server's processes still hold its shared memory or lock file.</summary>
    public static bool IsCrashLeftover(string failure) =>
        failure.Contains("pre-existing shared memory block", StringComparison.OrdinalIgnoreCase)
        || failure.Contains("lock file \"postmaster.pid\" already exists", StringComparison.OrdinalIgnoreCase);

    private async Task StopQuietlyAsync()
    {
        try
        {
            await RunPgCtlAsync(
                ["stop", "-D", dataDirectory, "-m", "immediate", "-w", "-t", "30", "-s"], TimeSpan.FromSeconds(40), CancellationToken.None).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Best effort on an error path.
        }
    }

    private Task<ProcessResult> RunPgCtlAsync(IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken) =>
        ProcessRunner.RunAsync(PostgresBinaries.Tool(binDirectory, "pg_ctl"), arguments, runAsPostgres, timeout, cancellationToken);
}
