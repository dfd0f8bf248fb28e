using System.Diagnostics;

namespace Marketplace.Chat.EmbeddedPostgres;

/// <summary>Runs the PostgreSQL tools, as the <c>postgres</c> OS user (through <c>runuser</c>) when this process is root.</summary>
internal static class ProcessRunner
{
    /// <summary>Gets a value indicating whether this process runs as root, which PostgreSQL refuses to run as.</summary>
    public static bool IsRoot { get; } = !OperatingSystem.IsWindows() && Environment.UserName == "root";

    public static async Task<ProcessResult> RunAsync(
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
        startInfo.Environment.Remove("PGPASSWORD");

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

    /// <summary>Gives a file or folder to the <c>postgres</c> OS user (when root), or fails with what to check.</summary>
    public static async Task ChownToPostgresAsync(string path, CancellationToken cancellationToken)
    {
        var chown = await RunAsync("chown", ["postgres:", path], asPostgres: false, TimeSpan.FromSeconds(30), cancellationToken)
            .ConfigureAwait(false);
        if (chown.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"Running as root, '{path}' must belong to the 'postgres' user (PostgreSQL refuses to run as root), but 'chown postgres: {path}' failed " +
                $"(exit code {chown.ExitCode}). Does the 'postgres' user exist? (it comes with the postgresql package; or: useradd --system postgres){Environment.NewLine}{chown.Output}");
        }
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
}

/// <summary>The exit code and the combined output of a tool.</summary>
internal readonly record struct ProcessResult(int ExitCode, string Output);
