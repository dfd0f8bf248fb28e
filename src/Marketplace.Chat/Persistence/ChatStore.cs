using System.Runtime.CompilerServices;
using Marketplace.Chat.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Marketplace.Chat.Persistence;

/// <summary>
/// The chat's view of the host's DbContext, with the primitives every write shares: a transaction run through the
/// provider's execution strategy and a sequence reserved under the conversation's row lock (which
/// <see cref="ConversationLog"/> builds its appends on).
/// The host's DbContext is made only when something touches <see cref="Db"/>: a party's text send goes to the group
/// commit without it, and building a context (its options, its services) costs more than the rest of that send.
/// </summary>
internal sealed class ChatStore(Type contextType, Func<DbContext> context, TimeProvider clock, IEnumerable<IChatCommitContributor> contributors)
{
    private static readonly ConditionalWeakTable<IModel, StrongBox<string>> ReturningSqlByModel = new();
    private readonly IChatCommitContributor[] _contributors = contributors.ToArray();
    private readonly Dictionary<Guid, ConversationRecord> _locked = [];
    private DbContext? _db;

    /// <summary>Gets the type of the host's DbContext, without making one.</summary>
    public Type ContextType { get; } = contextType;

    public DbContext Db => _db ??= context();

    /// <summary>Gets the features that add rows to every chat transaction.</summary>
    public IReadOnlyList<IChatCommitContributor> Contributors => _contributors;

    public DbSet<ConversationRecord> Conversations => Db.Set<ConversationRecord>();

    public DbSet<ParticipantRecord> Participants => Db.Set<ParticipantRecord>();

    public DbSet<EntryRecord> Entries => Db.Set<EntryRecord>();

    public DbSet<TransitionRecord> Transitions => Db.Set<TransitionRecord>();

    /// <summary>Finds which of <paramref name="ids"/> are stored as entries (in any conversation), in one query.</summary>
    public static async Task<HashSet<Guid>> StoredEntryIdsAsync(DbContext db, IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        (await db.Set<EntryRecord>().AsNoTracking().Where(e => ids.Contains(e.Id)).Select(e => e.Id).ToListAsync(ct).ConfigureAwait(false)).ToHashSet();

    /// <summary>Gets the current time at the precision the database keeps.</summary>
    public DateTimeOffset Now() => EntryHasher.Normalize(clock.GetUtcNow());

    /// <summary>
    /// Runs <paramref name="work"/> in one database transaction (through the execution strategy, so hosts that enable
    /// retry-on-failure keep working). The change tracker is cleared before each attempt and after a failure.
    /// </summary>
    public Task<T> InTransactionAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var strategy = Db.Database.CreateExecutionStrategy();
        return strategy.ExecuteAsync(
            (Db, work, _contributors, Store: this),
            async (_, state, ct) =>
            {
                state.Db.ChangeTracker.Clear();
                state.Store._locked.Clear();
                await using var transaction = await state.Db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                try
                {
                    var result = await state.work(ct).ConfigureAwait(false);
                    foreach (var contributor in state._contributors)
                    {
                        await contributor.ContributeAsync(state.Store, ct).ConfigureAwait(false);
                    }

                    await state.Db.SaveChangesAsync(ct).ConfigureAwait(false);
                    await transaction.CommitAsync(ct).ConfigureAwait(false);
                    foreach (var contributor in state._contributors)
                    {
                        contributor.Committed();
                    }

                    return result;
                }
                catch
                {
                    state.Db.ChangeTracker.Clear();
                    throw;
                }
            },
            verifySucceeded: null,
            cancellationToken);
    }

    /// <summary>
    /// Takes the next sequence number of a conversation: the increment locks the row until commit, so concurrent
    /// writers queue, and a rollback returns the number, which keeps the sequence gap-free.
    /// Returns the conversation as it is under the lock, or null when it does not exist.
    /// </summary>
    public async Task<ConversationRecord?> ReserveSequenceAsync(Guid conversationId, CancellationToken ct)
    {
        ConversationRecord? locked;
        if (ReturningSql() is { } sql)
        {
            // One round trip instead of two while the lock is held: increment and read back together.
            var rows = await Conversations.FromSqlRaw(sql, conversationId).AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
            locked = rows.Count == 0 ? null : rows[0];
        }
        else
        {
            locked = await ReserveWithTwoStatementsAsync(conversationId, ct).ConfigureAwait(false);
        }

        if (locked is not null)
        {
            Remember(locked);
        }

        return locked;
    }

    /// <summary>Records a conversation as read under its lock in this transaction, so later steps need not read it again.</summary>
    public void Remember(ConversationRecord conversation) => _locked[conversation.Id] = conversation;

    /// <summary>Gets a conversation read under its lock in this transaction, if any.</summary>
    public ConversationRecord? Locked(Guid conversationId) => _locked.GetValueOrDefault(conversationId);

    /// <summary>
    /// Builds, once per model, the PostgreSQL/SQLite <c>UPDATE … RETURNING</c> that increments the sequence; null for
    /// providers without RETURNING, which take the portable two-statement path.
    /// </summary>
    private string? ReturningSql()
    {
        var provider = Db.Database.ProviderName ?? "";
        if (!provider.Contains("Npgsql", StringComparison.Ordinal) && !provider.Contains("Sqlite", StringComparison.Ordinal))
        {
            return null;
        }

        var model = Db.Model;
        return ReturningSqlByModel.GetValue(model, m =>
        {
            var entity = m.FindEntityType(typeof(ConversationRecord))!;
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var sql = Db.GetService<ISqlGenerationHelper>();
            string Column(string property) => sql.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName(table)!);
            var sequence = Column(nameof(ConversationRecord.LastSequence));
            return new StrongBox<string>(
                $"UPDATE {sql.DelimitIdentifier(table.Name, table.Schema)} SET {sequence} = {sequence} + 1 "
                + $"WHERE {Column(nameof(ConversationRecord.Id))} = {{0}} RETURNING *");
        }).Value;
    }

    private async Task<ConversationRecord?> ReserveWithTwoStatementsAsync(Guid conversationId, CancellationToken ct)
    {
        var updated = await Conversations
            .Where(c => c.Id == conversationId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastSequence, c => c.LastSequence + 1), ct)
            .ConfigureAwait(false);
        if (updated == 0)
        {
            return null;
        }

        return await Conversations.AsNoTracking().SingleAsync(c => c.Id == conversationId, ct).ConfigureAwait(false);
    }
}
