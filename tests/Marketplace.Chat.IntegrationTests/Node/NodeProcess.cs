using System.Diagnostics;
using System.Text;

namespace Marketplace.Chat.IntegrationTests.Node;

/// <summary>Runs node with a timeout (killing the process tree when it runs past it) and finds the repository's folders.</summary>
internal static class NodeProcess
{
    public const string Prerequisites =
        "Run `bash scripts/prerequisites.sh` (it installs Node.js, runs `npm ci` in tests/node and clients/js and builds the client package).";

    /// <summary>
    /// Runs node, handing each stdout line to <paramref name="onLine"/> as it arrives; kills the process tree after
    /// <paramref name="timeout"/>.
    /// </summary>
    public static async Task<NodeRun> RunAsync(
        string workingDirectory,
        IReadOnlyList<string> arguments,
        TimeSpan timeout,
        Func<string, Task>? onLine = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var node = FindOnPath("node") ?? throw new InvalidOperationException("Node.js (`node`) is not on the PATH. " + Prerequisites);
        var startInfo = new ProcessStartInfo(node)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        var output = new List<string>();
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("node did not start.");
        process.StandardInput.Close();
        using var cancel = new CancellationTokenSource(timeout);
        var errors = process.StandardError.ReadToEndAsync(cancel.Token);
        var lines = ReadLinesAsync();
        var description = "node " + string.Join(' ', arguments);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
            await Task.WhenAll(lines, errors).WaitAsync(TimeSpan.FromSeconds(10), cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited between the timeout and the kill.
            }

            return new NodeRun(description, null, Snapshot(), errors.IsCompletedSuccessfully ? errors.Result : "", stopwatch.Elapsed, timeout);
        }

        return new NodeRun(description, process.ExitCode, Snapshot(), await errors, stopwatch.Elapsed, timeout);

        async Task ReadLinesAsync()
        {
            while (await process.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
            {
                lock (output)
                {
                    output.Add(line);
                }

                if (onLine is not null)
                {
                    await onLine(line);
                }
            }
        }

        List<string> Snapshot()
        {
            lock (output)
            {
                return [.. output];
            }
        }
    }

    public static string? FindOnPath(string program)
    {
        var names = OperatingSystem.IsWindows() ? new[] { program + ".exe", program + ".cmd" } : [program];
        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(directory => names.Select(name => Path.Combine(directory, name)))
            .FirstOrDefault(File.Exists);
    }

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Marketplace.Chat.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Marketplace.Chat.sln in {AppContext.BaseDirectory} or any folder above it.");
    }
}

/// <summary>What a node run did; <see cref="ExitCode"/> is null when it ran past its timeout and was killed.</summary>
internal sealed record NodeRun(string Command, int? ExitCode, IReadOnlyList<string> Output, string Errors, TimeSpan Elapsed, TimeSpan Timeout)
{
    public string Describe() =>
        (ExitCode is { } code
            ? $"`{Command}` exited with {code} after {Elapsed.TotalSeconds:F1} s."
            : $"`{Command}` did not finish within {Timeout.TotalSeconds:F0} s and was killed.")
        + Environment.NewLine + "stdout:" + Environment.NewLine + string.Join(Environment.NewLine, Output)
        + Environment.NewLine + "stderr:" + Environment.NewLine + Errors;
}
