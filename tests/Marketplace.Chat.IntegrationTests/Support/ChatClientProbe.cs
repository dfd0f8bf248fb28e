using System.Text.RegularExpressions;
using System.Threading.Channels;
using Marketplace.Chat.Hubs;
using Marketplace.Chat.Messages;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Marketplace.Chat.IntegrationTests.Support;

/// <summary>A connected chat client that records every event it receives, so tests await events instead of sleeping.</summary>
public sealed partial class ChatClientProbe : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private ChatClientProbe(HubConnection connection)
    {
        Connection = connection;
        Subscribe(connection, nameof(IChatClient.MessageReceived), Messages);
        Subscribe(connection, nameof(IChatClient.MessageChanged), Changes);
        Subscribe(connection, nameof(IChatClient.StateChanged), States);
        Subscribe(connection, nameof(IChatClient.Typing), Typing);
        Subscribe(connection, nameof(IChatClient.ReadReceipt), Receipts);
        Subscribe(connection, nameof(IChatClient.Presence), Presence);
        Subscribe(connection, nameof(IChatClient.ParticipantJoined), Joined);
    }

    public HubConnection Connection { get; }

    public EventLog<ChatMessage> Messages { get; } = new();

    public EventLog<ChatMessage> Changes { get; } = new();

    public EventLog<ConversationStateChanged> States { get; } = new();

    public EventLog<TypingNotice> Typing { get; } = new();

    public EventLog<ReadReceipt> Receipts { get; } = new();

    public EventLog<PresenceChanged> Presence { get; } = new();

    public EventLog<ParticipantJoined> Joined { get; } = new();

    public static async Task<ChatClientProbe> ConnectAsync(HubConnection connection)
    {
        var probe = new ChatClientProbe(connection);
        await connection.StartAsync().WaitAsync(Timeout);
        // StartAsync completes at the handshake, before the hub's OnConnectedAsync has counted the connection; the server
        // runs invocations only after it, so one harmless call makes "connected" mean "counted" for what the test does next.
        await probe.Invoke("Leave", Guid.Empty);
        return probe;
    }

    public Task<T> Invoke<T>(string method, params object?[] args) => Connection.InvokeCoreAsync<T>(method, args).WaitAsync(Timeout);

    public Task Invoke(string method, params object?[] args) => Connection.InvokeCoreAsync(method, args).WaitAsync(Timeout);

    /// <summary>Invokes a method that must be refused and returns the refusal's code (the text before the first colon).</summary>
    public async Task<string> Refusal(string method, params object?[] args)
    {
        var error = await Assert.ThrowsAsync<HubException>(() => Invoke(method, args));
        return CodeOf(error);
    }

    public static string CodeOf(Exception error)
    {
        var match = RefusalPattern().Match(error.Message);
        Assert.True(match.Success, "Not a chat refusal: " + error.Message);
        return match.Groups["code"].Value;
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();

    private static void Subscribe<T>(HubConnection connection, string name, EventLog<T> log) => connection.On<T>(name, log.Add);

    [GeneratedRegex(@"HubException: (?<code>[A-Za-z]+): ")]
    private static partial Regex RefusalPattern();
}

/// <summary>Events of one kind, in arrival order, awaitable with a timeout.</summary>
public sealed class EventLog<T>
{
    private readonly Channel<T> _pending = Channel.CreateUnbounded<T>();
    private readonly List<T> _all = [];

    public IReadOnlyList<T> All
    {
        get
        {
            lock (_all)
            {
                return [.. _all];
            }
        }
    }

    public void Add(T item)
    {
        lock (_all)
        {
            _all.Add(item);
        }

        _pending.Writer.TryWrite(item);
    }

    /// <summary>Waits for the next event that matches, skipping others.</summary>
    public async Task<T> Next(Func<T, bool>? match = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? ChatClientProbe.Timeout);
        while (true)
        {
            T item;
            try
            {
                item = await _pending.Reader.ReadAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No matching {typeof(T).Name} event arrived in time.");
            }

            if (match is null || match(item))
            {
                return item;
            }
        }
    }
}
