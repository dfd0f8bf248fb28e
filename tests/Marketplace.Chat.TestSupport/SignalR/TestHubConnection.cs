using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Marketplace.Chat.TestSupport.SignalR;

/// <summary>
/// Builds official SignalR <see cref="HubConnection"/>s (Microsoft.AspNetCore.SignalR.Client) that talk to a real Kestrel
/// server over WebSockets only, without negotiation (as <c>skipNegotiation</c> in the JavaScript client), their sockets
/// opened by a <see cref="WebSocketConnectionFactory"/>. JSON hub protocol, which <see cref="HubConnectionBuilder"/> registers by default.
/// </summary>
public static class TestHubConnection
{
    /// <summary>Gets reconnect delays for tests: quick retries, then give up after about 5 seconds.</summary>
    public static IReadOnlyList<TimeSpan> FastReconnectDelays { get; } =
        [TimeSpan.Zero, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    /// <summary>A connection to <paramref name="hubUrl"/> (ws:// or http://, query string allowed) through a new factory.</summary>
    /// <param name="hubUrl">The hub URL, e.g. ws://127.0.0.1:5123/hubs/chat?access_token=...</param>
    /// <param name="configure">Sets headers/cookies on each socket (reconnects included).</param>
    /// <param name="automaticReconnect">Reconnect with <see cref="FastReconnectDelays"/> after a drop.</param>
    public static HubConnection Create(Uri hubUrl, Action<ClientWebSocketOptions>? configure = null, bool automaticReconnect = false) =>
        Create(hubUrl, new WebSocketConnectionFactory(configure), automaticReconnect ? b => b.WithAutomaticReconnect([.. FastReconnectDelays]) : null);

    /// <summary>A connection to <paramref name="hubUrl"/> through <paramref name="factory"/> (keep the factory to abort its connections).</summary>
    /// <param name="hubUrl">The hub URL.</param>
    /// <param name="factory">Opens the sockets.</param>
    /// <param name="configureBuilder">Further builder set-up: reconnect policy, protocol options, logging, server timeout...</param>
    public static HubConnection Create(Uri hubUrl, WebSocketConnectionFactory factory, Action<IHubConnectionBuilder>? configureBuilder = null)
    {
        ArgumentNullException.ThrowIfNull(hubUrl);
        ArgumentNullException.ThrowIfNull(factory);

        var builder = new HubConnectionBuilder().WithUrl(WebSocketConnectionFactory.ToHttpUri(hubUrl), HttpTransportType.WebSockets, o =>
        {
            o.SkipNegotiation = true;
            o.WebSocketFactory = factory.ConnectAsync;
        });
        configureBuilder?.Invoke(builder);
        return builder.Build();
    }
}
