using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Marketplace.Chat.LoadGenerator.Driver;

/// <summary>
/// The server under test as a child process (this same executable with <c>serve</c>), so that its CPU time, memory and
/// allocations are measured apart from the clients'. The clients still share the machine's cores with it.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Process _process;
    private readonly HttpClient _http;

    private ServerProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(10) };
    }

    public Uri BaseUrl { get; }

    /// <summary>Run servers with Workstation GC instead of the ASP.NET Core default, Server GC (a run-wide setting).</summary>
    public static bool WorkstationGc { get; set; }

    public int Pid => _process.Id;

    /// <summary>Warning and error lines the server logged (counted from when it listened), with the first one kept.</summary>
    public int LoggedProblems => Volatile.Read(ref _loggedProblems);

    public string? FirstLoggedProblem { get; private set; }

    private int _loggedProblems;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _kinds = new(StringComparer.Ordinal);

    /// <summary>The most frequent kinds of warning/error lines, with their counts.</summary>
    public IReadOnlyList<string> LoggedProblemKinds =>
        [.. _kinds.OrderByDescending(p => p.Value).Take(6).Select(p => $"{p.Value} × {p.Key}")];

    [System.Text.RegularExpressions.GeneratedRegex(@"[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}|\d+")]
    private static partial System.Text.RegularExpressions.Regex Ids();

    private void CountLogLine(string line)
    {
        if (line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))
        {
            if (Interlocked.Increment(ref _loggedProblems) == 1)
            {
                FirstLoggedProblem = line.Length > 300 ? line[..300] + "…" : line;
            }

            // The kind of line: its start, with ids and numbers blurred.
            var kind = Ids().Replace(line.Length > 200 ? line[..200] : line, "#");
            _kinds.AddOrUpdate(kind, 1, static (_, n) => n + 1);
        }
    }

    /// <summary>Starts <c>serve</c> with <paramref name="serveArgs"/> and waits (up to 60 s) for it to listen.</summary>
    public static async Task<ServerProcess> StartAsync(IEnumerable<string> serveArgs, IReadOnlyDictionary<string, string>? environment = null)
    {
        var assembly = typeof(LoadGeneratorProgram).Assembly.Location;
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(assembly);
        info.ArgumentList.Add("serve");
        foreach (var a in serveArgs)
        {
            info.ArgumentList.Add(a);
        }

        info.ArgumentList.Add("--parent-pid");
        info.ArgumentList.Add(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.Environment["DOTNET_hostBuilder__reloadConfigOnChange"] = "false";
        if (WorkstationGc)
        {
            info.Environment["DOTNET_gcServer"] = "0";
        }

        info.WorkingDirectory = AppContext.BaseDirectory;
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the server process.");
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (sender, e) =>
        {
            if (e.Data is { } line && line.StartsWith(Server.BenchServer.ReadyMarker, StringComparison.Ordinal))
            {
                ready.TrySetResult(new Uri(line[Server.BenchServer.ReadyMarker.Length..].Split(' ')[0]));
            }
        };
        var server = (ServerProcess?)null;
        var logged = 0;
        process.ErrorDataReceived += (sender, e) =>
        {
            if (e.Data is { } line)
            {
                errors.Enqueue(line);
                if (errors.Count > 200)
                {
                    errors.TryDequeue(out var dropped);
                }

                // Warnings and errors the server logs are counted; the first few are shown, shortened.
                var n = Interlocked.Increment(ref logged);
                Volatile.Read(ref server)?.CountLogLine(line);
                if (n <= 3)
                {
                    Console.Error.WriteLine("[server] " + (line.Length > 400 ? line[..400] + "…" : line));
                }
            }
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException(
            "The server process exited before listening:" + Environment.NewLine + string.Join(Environment.NewLine, errors)));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var url = await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
            server = new ServerProcess(process, url);
            return server;
        }
        catch
        {
            Kill(process);
            process.Dispose();
            throw;
        }
    }

    public async Task<ServerStats> StatsAsync(bool collect = false) =>
        (await _http.GetFromJsonAsync<ServerStats>("/bench/stats?gc=" + (collect ? "true" : "false"), Json))!;

    public async Task SetupAsync(int from, int count)
    {
        // In chunks, so one HTTP request never runs for minutes.
        for (var start = from; start < from + count; start += 500)
        {
            var n = Math.Min(500, from + count - start);
            using var response = await _http.PostAsync($"/bench/setup?from={start}&count={n}", null);
            response.EnsureSuccessStatusCode();
        }
    }

    public async Task<IReadOnlyList<DbCommandStat>> DbProfileAsync() =>
        (await _http.GetFromJsonAsync<List<DbCommandStat>>("/bench/db-profile", Json))!;

    public async Task ResetDbProfileAsync()
    {
        using var response = await _http.PostAsync("/bench/db-profile/reset", null);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var response = await _http.PostAsync("/bench/shutdown", null, cts.Token);
            await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            // Not answering: stop it the hard way below.
        }

        Kill(_process);
        _process.Dispose();
        _http.Dispose();
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>The dotnet host that runs this process (dotnet run, dotnet test), else the one on the PATH.</summary>
    private static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return self;
        }

        return "dotnet";
    }
}
