using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Marketplace.Chat.LoadGenerator.Driver;

/// <summary>A throwaway redis-server for one multi-node run: loopback, a free port, no persistence; killed afterwards.</summary>
internal sealed class BenchRedis : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private BenchRedis(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        ConnectionString = $"127.0.0.1:{port}";
    }

    public string ConnectionString { get; }

    public int Pid => _process.Id;

    public static async Task<BenchRedis> StartAsync()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var folder = Directory.CreateTempSubdirectory("mpchat-bench-redis-").FullName;
        var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder })
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start (scripts/prerequisites.sh installs it).");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return new BenchRedis(process, folder, port);
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
