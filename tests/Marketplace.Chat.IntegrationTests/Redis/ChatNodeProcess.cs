using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;

namespace Marketplace.Chat.IntegrationTests.Redis;

/// <summary>
/// A chat node in a child process (the load generator's <c>serve --mode chat</c>: Kestrel, the package, <c>AddRedis</c>),
/// so a test can kill it with SIGKILL as a crashing machine would: no shutdown hook, no goodbye to Redis.
/// Transaction <c>tx{i}</c> has buyer <c>b{i}</c> and seller <c>s{i}</c>; the access token is the user id.
/// </summary>
public sealed class ChatNodeProcess : IAsyncDisposable
{
    private const string ReadyMarker = "BENCH-SERVER-LISTENING ";
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _errors;

    private ChatNodeProcess(Process process, Uri baseUrl, ConcurrentQueue<string> errors)
    {
        _process = process;
        BaseUrl = baseUrl;
        _errors = errors;
    }

    public Uri BaseUrl { get; }

    public IReadOnlyCollection<string> ErrorOutput => _errors;

    public static async Task<ChatNodeProcess> StartAsync(string connectionString, string redis, int heartbeatMs)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[]
                 {
                     Assembly(), "serve", "--mode", "chat", "--connection", connectionString, "--redis", redis,
                     "--redis-heartbeat-ms", heartbeatMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--max-sends-per-second", "1000", "--send-burst", "1000",
                     "--parent-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                 })
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_hostBuilder__reloadConfigOnChange"] = "false";
        var process = Process.Start(info) ?? throw new InvalidOperationException("The node process did not start.");
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && line.StartsWith(ReadyMarker, StringComparison.Ordinal))
            {
                ready.TrySetResult(new Uri(line[ReadyMarker.Length..].Split(' ')[0]));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                errors.Enqueue(line);
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("The node exited before listening: " + string.Join('\n', errors)));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new ChatNodeProcess(process, await ready.Task.WaitAsync(TimeSpan.FromSeconds(60)), errors);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Registers and pays <c>tx{from}</c>..<c>tx{from+count-1}</c>.</summary>
    public async Task SetupAsync(int from, int count)
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        (await http.PostAsync(new Uri($"/bench/setup?from={from}&count={count}", UriKind.Relative), null)).EnsureSuccessStatusCode();
    }

    /// <summary>Opens a SignalR connection over a WebSocket to the transaction hub as <paramref name="user"/>.</summary>
    public HubConnection Connect(string user) =>
        TestHubConnection.Create(new Uri(BaseUrl, "/chat/transactions?access_token=" + Uri.EscapeDataString(user)), new WebSocketConnectionFactory(null), _ => { });

    /// <summary>Kills the node with SIGKILL and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private static string Assembly()
    {
        // This test assembly lives in tests/<project>/bin/<Configuration>/<tfm>/; the node's in bench/<project>/bin/<Configuration>/<tfm>/.
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = here.Name;
        var configuration = here.Parent!.Name;
        var root = here;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Marketplace.Chat.sln")))
        {
            root = root.Parent;
        }

        var path = Path.Combine(
            root?.FullName ?? throw new InvalidOperationException("Marketplace.Chat.sln not found above " + AppContext.BaseDirectory),
            "bench", "Marketplace.Chat.LoadGenerator", "bin", configuration, tfm, "Marketplace.Chat.LoadGenerator.dll");
        return File.Exists(path) ? path : throw new InvalidOperationException("Build the load generator first: " + path);
    }
}
