using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Marketplace.Chat.EmbeddedPostgres;

/// <summary>Picks TCP ports on 127.0.0.1 and remembers those this process's clusters hold, so two never race for one.</summary>
internal static class LoopbackPorts
{
    private static readonly ConcurrentDictionary<int, byte> Reserved = new();

    /// <summary>A port that was free a moment ago and that no other cluster of this process holds.</summary>
    public static int ReserveFree()
    {
        for (var i = 0; i < 100; i++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (Reserved.TryAdd(port, 0))
            {
                return port;
            }
        }

        throw new InvalidOperationException("Could not find a free TCP port on 127.0.0.1.");
    }

    /// <summary>Holds <paramref name="port"/>, which must be free now.</summary>
    public static int ReserveExplicit(int port)
    {
        if (!Reserved.TryAdd(port, 0))
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
            Reserved.TryRemove(port, out _);
            throw new InvalidOperationException(
                $"Cannot start PostgreSQL on 127.0.0.1:{port}: the port is already in use ({e.SocketErrorCode}). Choose another port, or 0 to pick a free one.", e);
        }
    }

    /// <summary>Lets another cluster use <paramref name="port"/>.</summary>
    public static void Release(int port) => Reserved.TryRemove(port, out _);
}
