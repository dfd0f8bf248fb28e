using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Marketplace.Chat.IntegrationTests.Redis;

/// <summary>
/// Debian's nginx with the README's configuration (docs/scale-out/nginx.conf.template) on two free loopback ports: one
/// sticky (hash of the client address) for negotiating clients, one round-robin for clients that skip negotiation.
/// </summary>
public sealed class NginxProxy : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private NginxProxy(Process process, string folder, int stickyPort, int anyPort)
    {
        _process = process;
        _folder = folder;
        Sticky = new Uri($"http://127.0.0.1:{stickyPort}");
        Any = new Uri($"http://127.0.0.1:{anyPort}");
    }

    public Uri Sticky { get; }

    public Uri Any { get; }

    public static async Task<NginxProxy> StartAsync(IEnumerable<Uri> nodes)
    {
        var folder = Directory.CreateTempSubdirectory("mpchat-nginx-").FullName;
        var (sticky, any) = (FreePort(), FreePort());
        var config = (await File.ReadAllTextAsync(Template()))
            .Replace("__RUNTIME__", folder, StringComparison.Ordinal)
            .Replace("__STICKY_PORT__", sticky.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("__ANY_PORT__", any.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("__SERVERS__", string.Join(" ", nodes.Select(n => $"server {n.Host}:{n.Port};")), StringComparison.Ordinal);
        if (Environment.UserName == "root")
        {
            // Workers would otherwise drop to "nobody", who cannot use the temp folders in this private folder.
            config = "user root;\n" + config;
        }

        var path = Path.Combine(folder, "nginx.conf");
        await File.WriteAllTextAsync(path, config);
        var info = new ProcessStartInfo(File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-p", folder, "-c", path, "-e", Path.Combine(folder, "startup.log") })
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("nginx did not start (scripts/prerequisites.sh installs it).");
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var proxy = new NginxProxy(process, folder, sticky, any);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        foreach (var port in new[] { sticky, any })
        {
            while (true)
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port);
                    break;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
                {
                    await Task.Delay(50);
                }
            }
        }

        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }

        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static string Template()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Marketplace.Chat.sln")))
        {
            root = root.Parent;
        }

        return Path.Combine(root?.FullName ?? throw new InvalidOperationException("Marketplace.Chat.sln not found."), "docs", "scale-out", "nginx.conf.template");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
