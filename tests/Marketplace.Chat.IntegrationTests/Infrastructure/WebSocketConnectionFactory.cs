using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;

namespace Marketplace.Chat.IntegrationTests.Infrastructure;

/// <summary>
/// An <see cref="IConnectionFactory"/> for SignalR's <c>HubConnection</c> (package Microsoft.AspNetCore.SignalR.Client.Core,
/// without the HTTP client package): each connect opens a raw <see cref="ClientWebSocket"/> straight to the hub URL.
/// The server skips negotiation for a direct WebSocket request, as with <c>skipNegotiation</c> in the JavaScript client.
/// </summary>
/// <remarks>
/// The configure callback runs for every socket, reconnects included, so request headers (Origin, Cookie, Authorization,
/// X-...) can change between connects. Put query string values (e.g. <c>access_token</c>) in the hub URL.
/// The factory tracks open connections so a test can drop them abruptly (<see cref="AbortAll"/>) to exercise reconnects.
/// </remarks>
public sealed class WebSocketConnectionFactory : IConnectionFactory
{
    private readonly Action<ClientWebSocketOptions>? _configure;
    private readonly WebSocketMessageType _messageType;
    private readonly ConcurrentDictionary<string, WebSocketConnectionContext> _open = new(StringComparer.Ordinal);
    private int _connectCount;

    /// <summary>Creates the factory.</summary>
    /// <param name="configure">Called on each new socket's options (headers, cookies, sub-protocols...).</param>
    /// <param name="messageType">Frame type for what the client sends: Text for the JSON hub protocol (default), Binary for MessagePack.</param>
    public WebSocketConnectionFactory(Action<ClientWebSocketOptions>? configure = null, WebSocketMessageType messageType = WebSocketMessageType.Text)
    {
        if (messageType == WebSocketMessageType.Close)
        {
            throw new ArgumentOutOfRangeException(nameof(messageType), "Use Text or Binary.");
        }

        _configure = configure;
        _messageType = messageType;
    }

    /// <summary>How many sockets this factory has connected so far (a reconnect adds one).</summary>
    public int ConnectCount => Volatile.Read(ref _connectCount);

    /// <summary>The connections currently open (not yet disposed).</summary>
    public IReadOnlyCollection<WebSocketConnectionContext> OpenConnections => [.. _open.Values];

    /// <summary>Opens a WebSocket to <paramref name="endpoint"/>: a <see cref="UriEndPoint"/> with a ws, wss, http or https URL.</summary>
    public async ValueTask<ConnectionContext> ConnectAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint is not UriEndPoint { Uri: { } uri })
        {
            throw new NotSupportedException($"{nameof(WebSocketConnectionFactory)} needs a {nameof(UriEndPoint)}, got {endpoint.GetType().Name}.");
        }

        var socketUri = ToWebSocketUri(uri);
        var socket = new ClientWebSocket();
        try
        {
            _configure?.Invoke(socket.Options);
            await socket.ConnectAsync(socketUri, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Interlocked.Increment(ref _connectCount);
        var connection = new WebSocketConnectionContext(socket, socketUri, _messageType, c => _open.TryRemove(c.ConnectionId, out _));
        _open[connection.ConnectionId] = connection;
        return connection;
    }

    /// <summary>Drops every open connection abruptly (no close handshake), as a network failure would. Returns how many were aborted.</summary>
    public int AbortAll()
    {
        var count = 0;
        foreach (var connection in _open.Values)
        {
            connection.Abort(new ConnectionAbortedException("Aborted by the test (AbortAll)."));
            count++;
        }

        return count;
    }

    /// <summary>Maps http/https to ws/wss; ws/wss stay as they are.</summary>
    public static Uri ToWebSocketUri(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var scheme = uri.Scheme switch
        {
            "http" or "ws" => "ws",
            "https" or "wss" => "wss",
            _ => throw new ArgumentException($"Unsupported scheme '{uri.Scheme}' in {uri}.", nameof(uri)),
        };
        return new UriBuilder(uri) { Scheme = scheme, Port = uri.IsDefaultPort ? -1 : uri.Port }.Uri;
    }
}
