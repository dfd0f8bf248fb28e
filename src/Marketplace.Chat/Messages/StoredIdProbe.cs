using System.Threading.Channels;
using Marketplace.Chat.Diagnostics;
using Marketplace.Chat.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Chat.Messages;

/// <summary>
/// Answers "is an entry with this id stored?" for refused sends, many at once. A send refused by its budget may be the
/// retry of a stored message, which is answered with the stored copy, so every refusal must ask; asked one by one that
/// costs a DbContext and a query per refusal, more than an accepted send. Here the questions wait in a queue and one
/// reader answers whatever is waiting with one query (a batch of one goes out at once; no waiting interval). Only an
/// id that is found takes the full lookup (<see cref="ChatMessagingService.FindRetryAsync"/>).
/// </summary>
internal sealed class StoredIdProbe : IDisposable
{
    /// <summary>The most ids one query carries.</summary>
    internal const int MaxBatch = 512;

    private readonly IServiceScopeFactory _scopes;
    private readonly Channel<(Guid Id, TaskCompletionSource<bool> Stored)> _queue =
        Channel.CreateUnbounded<(Guid, TaskCompletionSource<bool>)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lazy<Task> _reader;

    public StoredIdProbe(IServiceScopeFactory scopes)
    {
        _scopes = scopes;
        _reader = new Lazy<Task>(() => Task.Run(ReadLoopAsync));
    }

    /// <summary>Tells whether an entry with <paramref name="id"/> is stored (in any conversation).</summary>
    public async Task<bool> IsStoredAsync(Guid id, CancellationToken cancellationToken)
    {
        _ = _reader.Value;
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((id, answer)))
        {
            throw ChatFailures.ShuttingDown();
        }

        return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<(Guid Id, TaskCompletionSource<bool> Stored)>(MaxBatch);
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && reader.TryRead(out var question))
                {
                    batch.Add(question);
                }

                await AnswerAsync(batch).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        finally
        {
            // Questions left at shutdown get the shutdown answer, never silence.
            foreach (var (_, stored) in batch)
            {
                stored.TrySetException(ChatFailures.ShuttingDown());
            }

            while (reader.TryRead(out var left))
            {
                left.Stored.TrySetException(ChatFailures.ShuttingDown());
            }
        }
    }

    private async Task AnswerAsync(List<(Guid Id, TaskCompletionSource<bool> Stored)> batch)
    {
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<ChatStore>();
            var found = await ChatStore.StoredEntryIdsAsync(store.Db, batch.Select(q => q.Id).Distinct().ToArray(), _stopping.Token).ConfigureAwait(false);
            foreach (var (id, stored) in batch)
            {
                stored.TrySetResult(found.Contains(id));
            }
        }
#pragma warning disable CA1031 // Whatever failed (an outage, shutdown) is each caller's answer; the reader goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            foreach (var (_, stored) in batch)
            {
                stored.TrySetException(ex);
            }
        }
    }
}
