using System.Diagnostics;
using System.Text;

namespace Marketplace.Chat.PackageTests.Infrastructure;

/// <summary>What one child <c>dotnet</c> command did.</summary>
public sealed record CommandResult(string CommandLine, string WorkingDirectory, int ExitCode, string Output, TimeSpan Elapsed)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>A failure message: the command, where it ran, its exit code, its duration and everything it printed.</summary>
    public string Describe() =>
        $"`dotnet {CommandLine}` in {WorkingDirectory} exited with {ExitCode} after {Elapsed.TotalSeconds:F1} s. Output:"
        + Environment.NewLine + Output;
}

/// <summary>
/// Runs the .NET CLI as a child process with a hard timeout (the process tree is killed when it expires), a quiet and
/// telemetry-free environment, and MSBuild node reuse off so no lingering node keeps the output pipes open.
/// </summary>
public static class DotnetCommand
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>How long to wait, after the process exited, for the last lines of its output.</summary>
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(15);

    public static async Task<CommandResult> RunAsync(
        string workingDirectory,
        IReadOnlyList<string> arguments,
        TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var commandLine = string.Join(' ', arguments);
        var startInfo = new ProcessStartInfo(HostPath())
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

        PrepareEnvironment(startInfo.Environment, environment);

        var output = new StringBuilder();
        var outputClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errorClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        using var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Collect(e.Data, outputClosed);
        process.ErrorDataReceived += (_, e) => Collect(e.Data, errorClosed);
        process.Exited += (_, _) => exited.TrySetResult();

        var stopwatch = Stopwatch.StartNew();
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        if (await Task.WhenAny(exited.Task, Task.Delay(limit)) != exited.Task)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited between the timeout and the kill.
            }

            await Task.WhenAny(Task.WhenAll(outputClosed.Task, errorClosed.Task), Task.Delay(TimeSpan.FromSeconds(5)));
            throw new TimeoutException(
                $"`dotnet {commandLine}` in {workingDirectory} did not finish within {limit.TotalSeconds:F0} s; "
                + "it and its child processes were killed. Output so far:" + Environment.NewLine + Snapshot());
        }

        // Exited: the output pipes close right after, unless a process it started still holds them.
        await Task.WhenAny(Task.WhenAll(outputClosed.Task, errorClosed.Task), Task.Delay(DrainGrace));
        process.WaitForExit(0);
        stopwatch.Stop();
        return new CommandResult(commandLine, workingDirectory, process.ExitCode, Snapshot(), stopwatch.Elapsed);

        void Collect(string? line, TaskCompletionSource closed)
        {
            if (line is null)
            {
                closed.TrySetResult();
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }
        }

        string Snapshot()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>The dotnet host that runs these tests (set by the CLI), else whatever <c>dotnet</c> is on the PATH.</summary>
    private static string HostPath()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }

    private static void PrepareEnvironment(IDictionary<string, string?> target, IReadOnlyDictionary<string, string>? overrides)
    {
        // `dotnet test` hands its own MSBuild settings (SDK paths, node handshakes) down to the test host; a nested
        // build must find its own. CI and everything else pass through unchanged, so $(CI) reaches the child as is.
        foreach (var key in target.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("_MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            target.Remove(key);
        }

        target["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        target["DOTNET_NOLOGO"] = "1";
        target["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        target["DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE"] = "true";
        target["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        target["MSBUILDDISABLENODEREUSE"] = "1";
        target["DOTNET_CLI_UI_LANGUAGE"] = "en";

        if (overrides is not null)
        {
            foreach (var (key, value) in overrides)
            {
                target[key] = value;
            }
        }
    }
}
