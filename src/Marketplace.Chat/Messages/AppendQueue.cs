using System.Collections.Concurrent;
using System.Threading.Channels;
using Marketplace.Chat.Access;
using Marketplace.Chat.Conversations;
using Marketplace.Chat.Diagnostics;
using Marketplace.Chat.Events;
using Marketplace.Chat.Notifications;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketplace.Chat.Messages;

/// <summary>One text send waiting for the group commit.</summary>
internal sealed class AppendRequest(ChatUser user, Guid conversationId, Guid messageId, string text, DateTimeOffset at)
{
    public ChatUser User { get; } = user;

    public Guid ConversationId { get; } = conversationId;

    public Guid MessageId { get; } = messageId;

    public string Text { get; } = text;

    public DateTimeOffset At { get; } = at;

    public TaskCompletionSource<AppendOutcome> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// What became of one send: appended (the entry and the conversation as of that entry), refused under the lock (the
/// decision), or its id was already stored (a retry: the caller looks the stored message up).
/// </summary>
internal sealed record AppendOutcome(EntryRecord? Entry, ChatConversationInfo? Conversation, AccessDecision? Refusal, bool AlreadyStored);

/// <summary>
/// The per-node group commit of text sends (DESIGN.md §5). Sends wait in a queue; one writer drains whatever is
/// waiting into one transaction: it locks every involved conversation in id order (<c>SELECT … ORDER BY id FOR
/// UPDATE</c>, so two batches never deadlock), checks each send's access against the locked row, links each
/// conversation's chain in memory with <see cref="EntryHasher"/>, writes all entries (<c>ON CONFLICT DO NOTHING</c>),
/// their notification rows, the heads and the senders' read positions in one ADO.NET batch, and commits — one WAL
/// flush for all. Only then are the sends acknowledged, and their events published by one publisher in commit order,
/// so one conversation's events go out in sequence order. A batch of one goes out at once (no waiting interval).
/// A batch that fails (or meets a stored id) is rolled back and its sends retried one by one, each with a lookup of
/// its id first, so one bad send never sinks the others.
/// </summary>
internal sealed class AppendQueue : IDisposable
{
    /// <summary>The most sends one transaction carries (bounds parameters per statement and the lock set).</summary>
    internal const int MaxBatch = 256;

    private readonly IServiceScopeFactory _scopes;
    private readonly ChatLogKeys _keys;
    private readonly ChatMetrics _metrics;
    private readonly ILogger<AppendQueue> _logger;
    private readonly int _previewLength;
    private readonly Channel<AppendRequest> _queue = Channel.CreateUnbounded<AppendRequest>();
    private readonly Channel<List<(EntryRecord Entry, ChatConversationInfo Info)>> _published =
        Channel.CreateUnbounded<List<(EntryRecord, ChatConversationInfo)>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Type, bool> _npgsqlByContext = new();
    private int _inFlight;
    private int _waiting;
    private readonly Lazy<Task[]> _writers;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, List<(EntryRecord Entry, ChatConversationInfo Info)>?> _ready = [];
    private long _tickets;
    private long _released;
    private readonly Lazy<Task> _publisher;

    public AppendQueue(IServiceScopeFactory scopes, ChatLogKeys keys, ChatMetrics metrics, IOptions<ChatOptions> options, ILogger<AppendQueue> logger)
    {
        _scopes = scopes;
        _keys = keys;
        _metrics = metrics;
        _logger = logger;
        _previewLength = options.Value.Notifications.PreviewLength;
        var writers = options.Value.GroupCommitWriters;
        _writers = new Lazy<Task[]>(() => Enumerable.Range(0, writers).Select(_ => Task.Run(WriteLoopAsync)).ToArray());
        _publisher = new Lazy<Task>(() => Task.Run(PublishLoopAsync));
    }

    /// <summary>
    /// Tells whether this store can take the batched path: PostgreSQL through Npgsql, and no commit contributor but the
    /// notification outbox (which the batch writes itself); any other feature riding on commits keeps the EF Core path.
    /// The provider is read once per DbContext type (asking a fresh context for it builds that context's services,
    /// which cost more than the rest of a send); a context type is configured with one provider in an application.
    /// </summary>
    public bool Supports(ChatStore store) =>
        _npgsqlByContext.GetOrAdd(store.ContextType, static (_, s) => (s.Db.Database.ProviderName ?? "").Contains("Npgsql", StringComparison.Ordinal), store)
        && store.Contributors.All(c => c is NotificationOutbox);

    /// <summary>Gets how many sends wait for the next batch.</summary>
    internal int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Gets how many sends the batch being written carries (0 when the writer is idle).</summary>
    internal int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Queues a send and waits for its outcome, which comes only after its transaction committed.</summary>
    public async Task<AppendOutcome> AppendAsync(AppendRequest request, CancellationToken cancellationToken)
    {
        _ = _writers.Value;
        Interlocked.Increment(ref _waiting);
        if (!_queue.Writer.TryWrite(request))
        {
            Interlocked.Decrement(ref _waiting);
            throw ChatFailures.ShuttingDown();
        }

        // The caller may stop waiting, but the send itself is not withdrawn once queued: it commits or not as a whole.
        return await request.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _published.Writer.TryComplete();
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<AppendRequest>(MaxBatch);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var request))
            {
                Interlocked.Decrement(ref _waiting);
                batch.Add(request);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            Interlocked.Add(ref _inFlight, batch.Count);

            try
            {
                await CommitAsync(batch, lookupFirst: false).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Whatever sank the batch, each send gets its own attempt and its own answer.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                ChatLog.BatchRetriedAlone(_logger, ex, batch.Count);
                foreach (var request in batch)
                {
                    try
                    {
                        await CommitAsync([request], lookupFirst: true).ConfigureAwait(false);
                    }
#pragma warning disable CA1031 // The failure is this send's answer.
                    catch (Exception single)
#pragma warning restore CA1031
                    {
                        request.Done.TrySetException(single);
                    }
                }
            }

            Interlocked.Add(ref _inFlight, -batch.Count);
        }
    }

    private async Task CommitAsync(List<AppendRequest> batch, bool lookupFirst)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ChatStore>();
        var withOutbox = scope.ServiceProvider.GetServices<IChatCommitContributor>().Any(c => c is NotificationOutbox);
        var db = store.Db;
        var sql = AppendSql.For(db);
        var strategy = db.Database.CreateExecutionStrategy();
        var tickets = new List<long>(1);
        AppendOutcome[] outcomes;
        List<(EntryRecord, ChatConversationInfo)> appended;
        bool notified;
        try
        {
            (outcomes, appended, notified) = await strategy.ExecuteAsync(
                (db, batch, lookupFirst, tickets),
                async (_, state, ct) =>
                {
                    await using var transaction = await state.db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                    var result = await WriteAsync(state.db, sql, state.batch, state.lookupFirst, withOutbox, transaction, state.tickets, ct)
                        .ConfigureAwait(false);
                    await transaction.CommitAsync(ct).ConfigureAwait(false);
                    return result;
                },
                verifySucceeded: null,
                CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            foreach (var ticket in tickets)
            {
                Release(ticket, null);
            }

            throw;
        }

        // Durable now: acknowledge, then publish in commit order.
        if (notified)
        {
            scope.ServiceProvider.GetService<NotificationSignal>()?.Wake();
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i].Entry is not null)
            {
                _metrics.MessageSent(nameof(ChatMessageKind.Text));
            }

            batch[i].Done.TrySetResult(outcomes[i]);
        }

        // Only the last attempt committed; earlier attempts' tickets publish nothing.
        for (var t = 0; t < tickets.Count; t++)
        {
            Release(tickets[t], t == tickets.Count - 1 ? appended : null);
        }
    }

    /// <summary>
    /// Hands a committed batch's events to the publisher in ticket order. A ticket is taken once the batch holds its row
    /// locks, so of two batches touching one conversation the one that committed first has the lower ticket: events of
    /// one conversation go out in sequence order even with several writers.
    /// </summary>
    private void Release(long ticket, List<(EntryRecord Entry, ChatConversationInfo Info)>? appended)
    {
        lock (_gate)
        {
            _ready[ticket] = appended;
            while (_ready.Remove(_released + 1, out var next))
            {
                _released++;
                if (next is { Count: > 0 })
                {
                    _ = _publisher.Value;
                    _published.Writer.TryWrite(next);
                }
            }
        }
    }

    private async Task<(AppendOutcome[] Outcomes, List<(EntryRecord, ChatConversationInfo)> Appended, bool Notified)> WriteAsync(
        DbContext db,
        AppendSql sql,
        List<AppendRequest> batch,
        bool lookupFirst,
        bool withOutbox,
        IDbContextTransaction transaction,
        List<long> tickets,
        CancellationToken ct)
    {
        var ids = batch.Select(r => r.ConversationId).Distinct().Order().ToArray();
        var locked = await sql.LockAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), ids, ct).ConfigureAwait(false);
        tickets.Add(Interlocked.Increment(ref _tickets));

        HashSet<Guid>? stored = null;
        if (lookupFirst)
        {
            // Under the locks, so an original that raced this retry has committed (or never will).
            var messageIds = batch.Select(r => r.MessageId).ToArray();
            stored = await ChatStore.StoredEntryIdsAsync(db, messageIds, ct).ConfigureAwait(false);
        }

        Dictionary<Guid, List<string>>? admins = null;
        var disputes = locked.Values.Where(c => c.Kind == ConversationKind.Dispute).Select(c => c.Id).ToArray();
        if (withOutbox && disputes.Length > 0)
        {
            admins = (await db.Set<ParticipantRecord>().AsNoTracking()
                    .Where(p => disputes.Contains(p.ConversationId) && p.Role == ParticipantRole.Admin)
                    .Select(p => new { p.ConversationId, p.UserId }).ToListAsync(ct).ConfigureAwait(false))
                .GroupBy(p => p.ConversationId).ToDictionary(g => g.Key, g => g.Select(p => p.UserId).ToList());
        }

        var outcomes = new AppendOutcome[batch.Count];
        var entries = new List<EntryRecord>(batch.Count);
        var appended = new List<(EntryRecord, ChatConversationInfo)>(batch.Count);
        var notifications = new List<NotificationRecord>();
        var reads = new Dictionary<(Guid, string), long>();
        var seen = new HashSet<Guid>();
        for (var i = 0; i < batch.Count; i++)
        {
            var request = batch[i];
            if (!locked.TryGetValue(request.ConversationId, out var conversation))
            {
                outcomes[i] = new AppendOutcome(null, null, ChatAccessPolicy.NotAvailable, false);
                continue;
            }

            if (stored?.Contains(request.MessageId) == true || !seen.Add(request.MessageId))
            {
                outcomes[i] = new AppendOutcome(null, null, null, true);
                continue;
            }

            var relation = ChatMessagingService.RelationOf(conversation, request.User);
            var decision = ChatAccessPolicy.Decide(conversation.Kind, conversation.State, relation, ChatAction.Write, conversation.HasDispute);
            if (!decision.Allowed)
            {
                outcomes[i] = new AppendOutcome(null, null, decision, false);
                continue;
            }

            var sequence = conversation.LastSequence + 1;
            var draft = new EntryDraft(request.MessageId, ChatMessageKind.Text, request.At)
            {
                SenderId = request.User.UserId,
                SenderRole = ChatMessagingService.RoleOf(relation),
                Text = request.Text,
            };
            var entry = ConversationLog.Link(draft, conversation.Id, sequence, conversation.LastHash, _keys);
            conversation.LastSequence = sequence;
            conversation.LastHash = entry.Hash;
            entries.Add(entry);
            reads[(conversation.Id, request.User.UserId)] = sequence;
            var info = conversation.ToInfo();
            outcomes[i] = new AppendOutcome(entry, info, null, false);
            appended.Add((entry, info));

            if (withOutbox && NotificationOutbox.KindOf(entry, conversation) is { } kind)
            {
                var recipients = new HashSet<string>(StringComparer.Ordinal) { conversation.BuyerId, conversation.SellerId };
                if (admins?.GetValueOrDefault(conversation.Id) is { } joined)
                {
                    recipients.UnionWith(joined);
                }

                recipients.Remove(request.User.UserId);
                foreach (var recipient in recipients)
                {
                    notifications.Add(NotificationOutbox.Record(entry, conversation, kind, recipient, request.User.UserId, _previewLength));
                }
            }
        }

        if (entries.Count > 0)
        {
            var connection = db.Database.GetDbConnection();
            await using var write = connection.CreateBatch();
            write.Transaction = transaction.GetDbTransaction();
            var inserted = sql.AddEntries(write, entries);
            sql.AddNotifications(write, notifications);
            var heads = locked.Values.Where(c => entries.Exists(e => e.ConversationId == c.Id)).ToList();
            sql.AddHeads(write, heads);
            sql.AddReadPositions(write, reads);
            // The texts never change (one array per column), so the server keeps them parsed per connection: the first
            // batch on a connection prepares them, every later one only binds and executes.
            await write.PrepareAsync(ct).ConfigureAwait(false);
            await write.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            if (inserted.RecordsAffected != entries.Count)
            {
                // An id is already stored (a retry racing its original): roll back and answer each send alone.
                throw new StoredIdConflictException();
            }
        }

        return (outcomes, appended, notifications.Count > 0);
    }

    private async Task PublishLoopAsync()
    {
        await foreach (var appended in _published.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            await using var scope = _scopes.CreateAsyncScope();
            var events = scope.ServiceProvider.GetRequiredService<ChatEventPublisher>();
            // The publisher logs and swallows a failing sink; one batch after another, each in sequence order.
            var added = appended.ConvertAll(a => (a.Info, EntryProjection.ToMessage(a.Entry, null, null)));
            await events.MessagesAddedAsync(added, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Raised inside a batch when an insert met a stored id, so the batch rolls back and retries alone.</summary>
    private sealed class StoredIdConflictException : Exception
    {
        public StoredIdConflictException()
            : base("A message id in the batch is already stored.")
        {
        }
    }
}
