using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections.Client;

namespace Marketplace.Chat.TestSupport.SignalR;

/// <summary>
/// Opens the WebSockets of official SignalR <c>HubConnection</c>s (<see cref="HttpConnectionOptions.WebSocketFactory"/>), so a
/// test can set request headers per socket, count connects, and drop every open socket abruptly to exercise reconnects.
/// </summary>
/// <remarks>
/// The configure callback runs for every socket, reconnects included, so request headers (Origin, Cookie, Authorization,
/// X-...) can change between connects. Put query string values (e.g. <c>access_token</c>) in the hub URL.
/// </remarks>
public sealed class WebSocketConnectionFactory
{
    private readonly Action<ClientWebSocketOptions>? _configure;
    private readonly ConcurrentDictionary<ClientWebSocket, byte> _sockets = new();
    private int _connectCount;

    /// <summary>Creates the factory.</summary>
    /// <param name="configure">Called on each new socket's options (headers, cookies, sub-protocols...).</param>
    public WebSocketConnectionFactory(Action<ClientWebSocketOptions>? configure = null) => _configure = configure;

    /// <summary>Gets how many sockets this factory has connected so far (a reconnect adds one).</summary>
    public int ConnectCount => Volatile.Read(ref _connectCount);

    /// <summary>Gets the sockets currently open (not yet closed, aborted or disposed).</summary>
    public IReadOnlyCollection<WebSocket> OpenConnections
    {
        get
        {
            foreach (var socket in _sockets.Keys.Where(s => s.State is not (WebSocketState.Open or WebSocketState.Connecting)))
            {
                _sockets.TryRemove(socket, out _);
            }

            return [.. _sockets.Keys.Where(s => s.State == WebSocketState.Open)];
        }
    }

    /// <summary>Opens the socket the SignalR client asks for (its URL already carries the query string).</summary>
    /// <param name="context">The URL and options of the connection.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    public async ValueTask<WebSocket> ConnectAsync(WebSocketConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var socket = new ClientWebSocket();
        try
        {
            _configure?.Invoke(socket.Options);
            await socket.ConnectAsync(ToWebSocketUri(context.Uri), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Interlocked.Increment(ref _connectCount);
        _sockets[socket] = 0;
        return socket;
    }

    /// <summary>Drops every open socket abruptly (no close handshake), as a network failure would. Returns how many were aborted.</summary>
    public int AbortAll()
    {
        var count = 0;
        foreach (var socket in OpenConnections)
        {
            socket.Abort();
            count++;
        }

        return count;
    }

    /// <summary>Maps http/https to ws/wss; ws/wss stay as they are.</summary>
    /// <param name="uri">The URL to map.</param>
    public static Uri ToWebSocketUri(Uri uri) => WithScheme(uri, "ws", "wss");

    /// <summary>Maps ws/wss to http/https (what <c>WithUrl</c> takes); http/https stay as they are.</summary>
    /// <param name="uri">The URL to map.</param>
    public static Uri ToHttpUri(Uri uri) => WithScheme(uri, "http", "https");

    private static Uri WithScheme(Uri uri, string plain, string secure)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var scheme = uri.Scheme switch
        {
            "http" or "ws" => plain,
            "https" or "wss" => secure,
            _ => throw new ArgumentException($"Unsupported scheme '{uri.Scheme}' in {uri}.", nameof(uri)),
        };
        return new UriBuilder(uri) { Scheme = scheme, Port = uri.IsDefaultPort ? -1 : uri.Port }.Uri;
    }
}
