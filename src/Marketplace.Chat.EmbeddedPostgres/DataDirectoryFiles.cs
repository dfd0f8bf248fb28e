using System.Diagnostics;
using System.Globalization;

namespace Marketplace.Chat.EmbeddedPostgres;

/// <summary>The data folder on disk: its permissions, the server's PID file, the log, and deleting it.</summary>
internal static class DataDirectoryFiles
{
    public const string LogFileName = "postgres.log";
    private const long MaxLogBytes = 10 * 1024 * 1024;

    /// <summary>Creates the folder with owner-only access; as root, gives it to <c>postgres</c> and lets it traverse the parents.</summary>
    public static async Task PrepareAsync(string dataDirectory, bool runAsPostgres, CancellationToken cancellationToken)
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

        await ProcessRunner.ChownToPostgresAsync(dataDirectory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The PID recorded in postmaster.pid, or 0 when there is none.</summary>
    public static int ReadPostmasterPid(string dataDirectory)
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
    public static bool IsServerRunning(string dataDirectory)
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

    public static void RotateLogIfLarge(string logFile)
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

    /// <summary>The last lines of the server log written after <paramref name="offset"/>.</summary>
    public static string ReadLogTail(string logFile, long offset)
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

    public static string Tail(string text, int lines)
    {
        var all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(Environment.NewLine, all.Skip(Math.Max(0, all.Length - lines)).Select(l => l.TrimEnd('\r')));
    }

    public static async Task DeleteDirectoryAsync(string directory)
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

    public static void TryDelete(string file)
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
}
