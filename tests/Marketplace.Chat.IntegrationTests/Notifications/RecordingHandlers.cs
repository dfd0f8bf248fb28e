using System.Collections.Concurrent;
using Marketplace.Chat.Notifications;

namespace Marketplace.Chat.IntegrationTests.Notifications;

/// <summary>Everything a host's handlers received, per host (a static per test run would mix hosts).</summary>
public sealed class DeliveryLog : IDisposable
{
    private readonly ConcurrentQueue<ChatNotification> _received = new();
    private readonly SemaphoreSlim _arrived = new(0);

    public IReadOnlyCollection<ChatNotification> Received => _received;

    public void Add(ChatNotification notification)
    {
        _received.Enqueue(notification);
        _arrived.Release();
    }

    public void Dispose() => _arrived.Dispose();

    /// <summary>Waits until at least <paramref name="count"/> notifications arrived.</summary>
    public async Task WaitForAsync(int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (_received.Count < count)
        {
            try
            {
                await _arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Expected {count} notifications, got {_received.Count}.");
            }
        }
    }
}

/// <summary>A host's handler that records what it gets.</summary>
public sealed class RecordingHandler(DeliveryLog log) : IChatNotificationHandler
{
    public Task HandleAsync(ChatNotification notification, CancellationToken cancellationToken)
    {
        log.Add(notification);
        return Task.CompletedTask;
    }
}

/// <summary>A broken host handler: always throws.</summary>
public sealed class ThrowingHandler : IChatNotificationHandler
{
    public Task HandleAsync(ChatNotification notification, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("The SMTP server is down.");
}

/// <summary>A broken host handler: never finishes and ignores cancellation.</summary>
public sealed class HangingHandler : IChatNotificationHandler
{
    private static readonly TaskCompletionSource Never = new();

    public Task HandleAsync(ChatNotification notification, CancellationToken cancellationToken) => Never.Task;
}

/// <summary>The marketplace's administrators, for dispute notifications.</summary>
public sealed class TwoAdministrators : IChatAdministrators
{
    public ValueTask<IReadOnlyCollection<string>> GetAdministratorIdsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyCollection<string>>(["admin-a", "admin-b"]);
}
