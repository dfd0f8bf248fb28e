using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Marketplace.Chat.IntegrationTests.Probes;

public sealed class SignalRClientShould(ProbeServer server) : IClassFixture<ProbeServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task InvokeHubMethodsReceivePushesAndSendHeadersAndQuery()
    {
        var hubUrl = new Uri(server.HubUrl, "?tenant=t-1");
        await using var connection = TestHubConnection.Create(hubUrl, options =>
        {
            options.SetRequestHeader("X-Test-User", "alice");
            options.SetRequestHeader("Origin", "https://market.example");
            options.SetRequestHeader("Authorization", "Bearer probe-token");
        });
        var pushed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pong = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On<string>("Pushed", text => pushed.TrySetResult(text));
        connection.On<string>("Pong", text => pong.TrySetResult(text));

        await connection.StartAsync().WaitAsync(Timeout);
        Assert.Equal(HubConnectionState.Connected, connection.State);

        Assert.Equal("hello", await connection.InvokeAsync<string>(nameof(ProbeHub.Echo), "hello").WaitAsync(Timeout));
        Assert.Equal("alice", await connection.InvokeAsync<string>(nameof(ProbeHub.Header), "X-Test-User").WaitAsync(Timeout));
        Assert.Equal("https://market.example", await connection.InvokeAsync<string>(nameof(ProbeHub.Header), "Origin").WaitAsync(Timeout));
        Assert.Equal("Bearer probe-token", await connection.InvokeAsync<string>(nameof(ProbeHub.Header), "Authorization").WaitAsync(Timeout));
        Assert.Equal("t-1", await connection.InvokeAsync<string>(nameof(ProbeHub.Query), "tenant").WaitAsync(Timeout));

        // A large message spans many WebSocket frames and pipe segments both ways.
        var large = new string('x', 300_000);
        Assert.Equal(large, await connection.InvokeAsync<string>(nameof(ProbeHub.Echo), large).WaitAsync(Timeout));

        await connection.SendAsync(nameof(ProbeHub.Ping), "p1").WaitAsync(Timeout);
        Assert.Equal("pong p1", await pong.Task.WaitAsync(Timeout));

        // Server-initiated push from outside the hub, through IHubContext.
        await server.HubContext.Clients.All.SendAsync("Pushed", "from the server").WaitAsync(Timeout);
        Assert.Equal("from the server", await pushed.Task.WaitAsync(Timeout));

        var error = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync(nameof(ProbeHub.Refuse)).WaitAsync(Timeout));
        Assert.Contains("CHAT_LOCKED", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReconnectAfterTheConnectionDrops()
    {
        var factory = new WebSocketConnectionFactory(options => options.SetRequestHeader("X-Test-User", "bob"));
        await using var connection = TestHubConnection.Create(server.HubUrl, factory, b => b.WithAutomaticReconnect([.. TestHubConnection.FastReconnectDelays]));
        var reconnecting = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconnected = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Reconnecting += e =>
        {
            reconnecting.TrySetResult(e);
            return Task.CompletedTask;
        };
        connection.Reconnected += id =>
        {
            reconnected.TrySetResult(id);
            return Task.CompletedTask;
        };

        await connection.StartAsync().WaitAsync(Timeout);
        Assert.Equal(1, factory.ConnectCount);
        Assert.Single(factory.OpenConnections);
        var firstId = await connection.InvokeAsync<string>(nameof(ProbeHub.ConnectionId)).WaitAsync(Timeout);

        Assert.Equal(1, factory.AbortAll());

        // Both ends notice the drop (neither reports an exception for a socket closed without a handshake) and the client
        // comes back on a new connection, with its headers sent again.
        await reconnecting.Task.WaitAsync(Timeout);
        await server.DisconnectOf(firstId).WaitAsync(Timeout);
        await reconnected.Task.WaitAsync(Timeout);
        Assert.NotEqual(firstId, await connection.InvokeAsync<string>(nameof(ProbeHub.ConnectionId)).WaitAsync(Timeout));
        Assert.Equal(HubConnectionState.Connected, connection.State);
        Assert.Equal(2, factory.ConnectCount);
        Assert.Equal("bob", await connection.InvokeAsync<string>(nameof(ProbeHub.Header), "X-Test-User").WaitAsync(Timeout));
        Assert.Equal("still here", await connection.InvokeAsync<string>(nameof(ProbeHub.Echo), "still here").WaitAsync(Timeout));
    }

    [Fact]
    public async Task CloseCleanlyOnStopAndReportAServerClose()
    {
        var factory = new WebSocketConnectionFactory();
        await using (var connection = TestHubConnection.Create(server.HubUrl, factory))
        {
            var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
            connection.Closed += e =>
            {
                closed.TrySetResult(e);
                return Task.CompletedTask;
            };
            await connection.StartAsync().WaitAsync(Timeout);
            var connectionId = await connection.InvokeAsync<string>(nameof(ProbeHub.ConnectionId)).WaitAsync(Timeout);

            await connection.StopAsync().WaitAsync(Timeout);

            Assert.Null(await closed.Task.WaitAsync(Timeout));
            Assert.Null(await server.DisconnectOf(connectionId).WaitAsync(Timeout)); // the server saw a clean close, not an error
            Assert.Empty(factory.OpenConnections);
        }

        // The server ends the connection: the client's input completes and it reports Closed (no reconnect configured).
        await using var kicked = TestHubConnection.Create(server.HubUrl);
        var kickedClosed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        kicked.Closed += e =>
        {
            kickedClosed.TrySetResult(e);
            return Task.CompletedTask;
        };
        await kicked.StartAsync().WaitAsync(Timeout);
        await kicked.SendAsync(nameof(ProbeHub.Kick)).WaitAsync(Timeout);
        await kickedClosed.Task.WaitAsync(Timeout);
        Assert.Equal(HubConnectionState.Disconnected, kicked.State);
    }
}

/// <summary>A real Kestrel server on 127.0.0.1 (free port) hosting <see cref="ProbeHub"/> at /hubs/probe.</summary>
public sealed class ProbeServer : IAsyncLifetime
{
    private readonly Dictionary<string, TaskCompletionSource<Exception?>> _disconnects = new(StringComparer.Ordinal);
    private WebApplication? _app;

    public Uri HubUrl { get; private set; } = null!;

    public IHubContext<ProbeHub> HubContext => _app!.Services.GetRequiredService<IHubContext<ProbeHub>>();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSignalR(o => o.MaximumReceiveMessageSize = 1024 * 1024);
        builder.Services.AddSingleton(this);
        _app = builder.Build();
        _app.MapHub<ProbeHub>("/hubs/probe");
        await _app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var address = new Uri(_app.Urls.Single());
        Assert.NotEqual(0, address.Port);
        HubUrl = new Uri($"ws://127.0.0.1:{address.Port}/hubs/probe");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await _app.DisposeAsync();
        }
    }

    /// <summary>Completes with the exception the server saw when <paramref name="connectionId"/> disconnected (null: clean).</summary>
    public Task<Exception?> DisconnectOf(string connectionId) => Disconnect(connectionId).Task;

    internal void Disconnected(string connectionId, Exception? exception) => Disconnect(connectionId).TrySetResult(exception);

    private TaskCompletionSource<Exception?> Disconnect(string connectionId)
    {
        lock (_disconnects)
        {
            if (!_disconnects.TryGetValue(connectionId, out var source))
            {
                source = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
                _disconnects[connectionId] = source;
            }

            return source;
        }
    }
}

[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "SignalR hub methods must be instance methods.")]
public sealed class ProbeHub(ProbeServer server) : Hub
{
    public string Echo(string text) => text;

    public string Header(string name) => Context.GetHttpContext()?.Request.Headers[name].ToString() ?? string.Empty;

    public string Query(string name) => Context.GetHttpContext()?.Request.Query[name].ToString() ?? string.Empty;

    public string ConnectionId() => Context.ConnectionId;

    public Task Ping(string text) => Clients.Caller.SendAsync("Pong", $"pong {text}");

    public void Kick() => Context.Abort();

    public void Refuse() => throw new HubException("CHAT_LOCKED: the chat opens once the payment is confirmed.");

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        server.Disconnected(Context.ConnectionId, exception);
        return base.OnDisconnectedAsync(exception);
    }
}
