using System.Collections.Concurrent;
using System.Diagnostics;
using Marketplace.Chat.TestSupport.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.LoadGenerator.Driver;

/// <summary>One connected party: a SignalR connection over a real WebSocket, joined to its conversation.</summary>
internal sealed class BenchClient
{
    public required string UserId { get; init; }

    public required int Conversation { get; init; }

    public required HubConnection Connection { get; init; }

    public Guid ConversationId { get; set; }

    public long EchoCount;
}

/// <summary>Every message the clients sent, and what happened to it, keyed by its client-generated id.</summary>
internal sealed class MessageTracker
{
    private readonly ConcurrentDictionary<Guid, Tracked> _messages = new();
    private long _unknownDeliveries;
    private long _duplicateDeliveries;

    public ConcurrentDictionary<string, long> Errors { get; } = new(StringComparer.Ordinal);

    public IEnumerable<KeyValuePair<Guid, Tracked>> All => _messages;

    public long UnknownDeliveries => Interlocked.Read(ref _unknownDeliveries);

    public long DuplicateDeliveries => Interlocked.Read(ref _duplicateDeliveries);

    public long Outstanding;

    public Tracked Add(Guid id, BenchClient sender, long intended, bool measured)
    {
        var tracked = new Tracked { Sender = sender, Intended = intended, Measured = measured };
        _messages[id] = tracked;
        return tracked;
    }

    /// <summary>A MessageReceived event reached <paramref name="receiver"/>.</summary>
    public void Received(BenchClient receiver, WireMessage message)
    {
        var now = Stopwatch.GetTimestamp();
        if (string.Equals(message.SenderId, receiver.UserId, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref receiver.EchoCount);
            return;
        }

        if (!_messages.TryGetValue(message.Id, out var tracked))
        {
            Interlocked.Increment(ref _unknownDeliveries);
            return;
        }

        if (Interlocked.CompareExchange(ref tracked.DeliveredAt, now, 0) != 0)
        {
            Interlocked.Increment(ref _duplicateDeliveries);
        }
    }

    public bool Contains(Guid id) => _messages.ContainsKey(id);

    /// <summary>Connections that closed while the run was going (a lost connection loses its live deliveries).</summary>
    public long ClosedConnections => Interlocked.Read(ref _closed);

    private long _closed;

    public bool Finished { get; set; }

    public void ConnectionClosed(Exception? error)
    {
        if (!Finished)
        {
            Interlocked.Increment(ref _closed);
            Error("ConnectionClosed(" + (error?.GetType().Name ?? "by server") + ")");
        }
    }

    public void Error(string code) => Errors.AddOrUpdate(code, 1, static (_, n) => n + 1);

    public sealed class Tracked
    {
        public required BenchClient Sender;
        public long Intended;
        public long SentAt;
        public long AckedAt;
        public long RefusedAt;
        public long DeliveredAt;
        public bool Failed;
        public bool Measured;
    }
}

/// <summary>Opens and joins the clients of C conversations (buyer and seller of each).</summary>
internal static class ChatClients
{
    /// <summary>Connects buyer and seller of conversations <c>0..count-1</c>, <paramref name="parallel"/> at a time.</summary>
    public static Task<List<BenchClient>> ConnectAsync(
        Uri baseUrl, int firstConversation, int count, MessageTracker? tracker, int parallel = 32, bool join = true) =>
        ConnectAsync([baseUrl], firstConversation, count, tracker, parallel, join);

    /// <summary>Connects buyer and seller of conversations <c>0..count-1</c>; with several nodes the buyer and the seller of a conversation sit on different ones.</summary>
    public static async Task<List<BenchClient>> ConnectAsync(
        IReadOnlyList<Uri> nodes, int firstConversation, int count, MessageTracker? tracker, int parallel = 32, bool join = true)
    {
        var clients = new BenchClient[count * 2];
        var factory = new WebSocketConnectionFactory();
        await Parallel.ForAsync(0, count * 2, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (k, ct) =>
        {
            var i = firstConversation + (k / 2);
            var user = k % 2 == 0 ? BenchNames.Buyer(i) : BenchNames.Seller(i);
            var url = new Uri(nodes[k % nodes.Count], BenchNames.HubPath + "?access_token=" + user);
            var connection = TestHubConnection.Create(url, factory, b => b.Services.Configure<HubConnectionOptions>(o =>
            {
                // The server closes a connection it has not heard from for 30 s (ClientTimeoutInterval): ping well within that,
                // even while a Send waits for its answer; tolerate a slow server for longer on this side.
                o.ServerTimeout = TimeSpan.FromSeconds(120);
                o.KeepAliveInterval = TimeSpan.FromSeconds(5);
            }));
            var client = new BenchClient { UserId = user, Conversation = i, Connection = connection };
            if (tracker is not null)
            {
                connection.On<WireMessage>("MessageReceived", m => tracker.Received(client, m));
                connection.Closed += error =>
                {
                    tracker.ConnectionClosed(error);
                    return Task.CompletedTask;
                };
            }

            await connection.StartAsync(ct);
            if (join)
            {
                var reply = await connection.InvokeAsync<JoinReply>("Join", BenchNames.Transaction(i), ct);
                client.ConversationId = reply.ConversationId;
            }

            clients[k] = client;
        });
        return [.. clients];
    }

    public static async Task DisposeAsync(IEnumerable<BenchClient> clients, int parallel = 64) =>
        await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (c, _) =>
        {
            try
            {
                await c.Connection.DisposeAsync();
            }
            catch (Exception ex) when (ex is OperationCanceledException or System.Net.WebSockets.WebSocketException or IOException)
            {
                // The run is over; a connection that closes badly changes nothing.
            }
        });
}
