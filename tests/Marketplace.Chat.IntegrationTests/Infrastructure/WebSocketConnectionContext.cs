using System.IO.Pipelines;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Marketplace.Chat.IntegrationTests.Infrastructure;

/// <summary>
/// A <see cref="ConnectionContext"/> over a connected <see cref="ClientWebSocket"/>: what SignalR's HubConnection writes to
/// <see cref="Transport"/>.Output is sent as WebSocket messages, and what the server sends arrives on <see cref="Transport"/>.Input.
/// A server close completes the input; <see cref="Abort(ConnectionAbortedException)"/> drops the socket abruptly (input completes
/// with an error); <see cref="DisposeAsync"/> closes the socket cleanly and completes both pipes.
/// </summary>
public sealed class WebSocketConnectionContext : ConnectionContext
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly ClientWebSocket _socket;
    private readonly WebSocketMessageType _messageType;
    private readonly Action<WebSocketConnectionContext>? _onDisposed;
    private readonly Pipe _fromServer = new(new PipeOptions(useSynchronizationContext: false));
    private readonly Pipe _toServer = new(new PipeOptions(useSynchronizationContext: false));
    private readonly CancellationTokenSource _closed = new();
    private readonly Task _receiving;
    private readonly Task _sending;
    private readonly object _gate = new();
    private Task? _disposeTask;
    private ConnectionAbortedException? _abortReason;

    internal WebSocketConnectionContext(ClientWebSocket socket, Uri uri, WebSocketMessageType messageType, Action<WebSocketConnectionContext>? onDisposed)
    {
        _socket = socket;
        _messageType = messageType;
        _onDisposed = onDisposed;
        Uri = uri;
        ConnectionId = Guid.NewGuid().ToString("N");
        Transport = new DuplexPipe(_fromServer.Reader, _toServer.Writer);
        Features.Set<IConnectionIdFeature>(new IdFeature(this));
        _receiving = Task.Run(ReceiveLoopAsync);
        _sending = Task.Run(SendLoopAsync);
    }

    /// <summary>The URL this connection was opened to.</summary>
    public Uri Uri { get; }

    /// <summary>The underlying socket's state.</summary>
    public WebSocketState State => _socket.State;

    /// <summary>The close status the server sent, if it closed the socket.</summary>
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <inheritdoc />
    public override string ConnectionId { get; set; }

    /// <inheritdoc />
    public override IFeatureCollection Features { get; } = new FeatureCollection();

    /// <inheritdoc />
    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    /// <inheritdoc />
    public override IDuplexPipe Transport { get; set; }

    /// <inheritdoc />
    public override CancellationToken ConnectionClosed => _closed.Token;

    /// <summary>Drops the connection abruptly (no close handshake), as a network failure would.</summary>
    public override void Abort(ConnectionAbortedException abortReason)
    {
        var reason = abortReason ?? new ConnectionAbortedException("The connection was aborted.");
        if (Interlocked.CompareExchange(ref _abortReason, reason, null) is not null)
        {
            return;
        }

        // The pending receive fails at once; the receive loop then completes the input with the abort reason.
        _socket.Abort();
        _toServer.Reader.CancelPendingRead();
        SignalClosed();
    }

    /// <summary>Closes the socket cleanly (close handshake, bounded wait), completes both pipes and releases the socket. Idempotent.</summary>
    public override async ValueTask DisposeAsync()
    {
        Task disposing;
        lock (_gate)
        {
            disposing = _disposeTask ??= DisposeCoreAsync();
        }

        await disposing;
        await base.DisposeAsync();
    }

    private async Task DisposeCoreAsync()
    {
        // Completing the app's writer lets the send loop flush what is pending, then send the close frame.
        await _toServer.Writer.CompleteAsync();
        var loops = Task.WhenAll(_sending, _receiving);
        if (await Task.WhenAny(loops, Task.Delay(CloseTimeout)) != loops)
        {
            _socket.Abort();
            await Task.WhenAny(loops, Task.Delay(CloseTimeout));
        }

        await _fromServer.Reader.CompleteAsync();
        _socket.Dispose();
        SignalClosed();
        _onDisposed?.Invoke(this);
    }

    private async Task ReceiveLoopAsync()
    {
        Exception? error = null;
        try
        {
            while (true)
            {
                var memory = _fromServer.Writer.GetMemory(4096);
                var result = await _socket.ReceiveAsync(memory, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    // The server closed: acknowledge it unless we started the close ourselves.
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        await CloseOutputQuietlyAsync();
                    }

                    break;
                }

                _fromServer.Writer.Advance(result.Count);
                if (result.EndOfMessage)
                {
                    var flush = await _fromServer.Writer.FlushAsync();
                    if (flush.IsCompleted || flush.IsCanceled)
                    {
                        break;
                    }
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            error = e;
        }
        finally
        {
            if (Volatile.Read(ref _abortReason) is { } aborted)
            {
                error = aborted;
            }

            await _fromServer.Writer.CompleteAsync(error);

            // Nothing more will come from the server: stop sending too.
            _toServer.Reader.CancelPendingRead();
            SignalClosed();
        }
    }

    private async Task SendLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await _toServer.Reader.ReadAsync();
                if (result.IsCanceled)
                {
                    break;
                }

                var buffer = result.Buffer;
                try
                {
                    if (!buffer.IsEmpty && _socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        var position = buffer.Start;
                        var remaining = buffer.Length;
                        while (buffer.TryGet(ref position, out var segment))
                        {
                            remaining -= segment.Length;
                            await _socket.SendAsync(segment, _messageType, endOfMessage: remaining == 0, CancellationToken.None);
                        }
                    }
                }
                finally
                {
                    _toServer.Reader.AdvanceTo(buffer.End);
                }

                if (result.IsCompleted)
                {
                    break;
                }
            }

            // The app completed its output (dispose): start the close handshake.
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(CloseTimeout);
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client closing", timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            // The socket is gone (abort or server drop); the receive loop reports it on the input.
        }
        finally
        {
            await _toServer.Reader.CompleteAsync();
        }
    }

    private async Task CloseOutputQuietlyAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(CloseTimeout);
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closing", timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private void SignalClosed()
    {
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private sealed class IdFeature(WebSocketConnectionContext owner) : IConnectionIdFeature
    {
        public string ConnectionId
        {
            get => owner.ConnectionId;
            set => owner.ConnectionId = value;
        }
    }
}
