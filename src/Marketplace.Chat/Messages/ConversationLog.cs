using Marketplace.Chat.Conversations;
using Marketplace.Chat.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Chat.Messages;

/// <summary>What an append writes, before the log gives it its place: sequence, previous hash, key id and hash.</summary>
/// <param name="Id">The entry id: the client's id for user messages, a new GUID otherwise.</param>
/// <param name="Kind">What the entry is.</param>
/// <param name="CreatedAt">When it happened, at the database's precision (<see cref="ChatStore.Now"/>).</param>
internal sealed record EntryDraft(Guid Id, ChatMessageKind Kind, DateTimeOffset CreatedAt)
{
    public string? SystemCode { get; init; }

    public string? SenderId { get; init; }

    public ParticipantRole? SenderRole { get; init; }

    public string? Text { get; init; }

    public Guid? TargetId { get; init; }

    public long? TargetSequence { get; init; }

    public Guid? AttachmentId { get; init; }

    public string? AttachmentSha256 { get; init; }

    public string? Parameters { get; init; }

    public string? EventId { get; init; }

    /// <summary>Creates the draft of a system entry (a transition's announcement, an administrator's join).</summary>
    public static EntryDraft System(string code, string text, DateTimeOffset at) =>
        new(Guid.NewGuid(), ChatMessageKind.System, at) { SystemCode = code, Text = text };
}

/// <summary>An appended entry and the conversation as it is under the lock, with the new head.</summary>
internal sealed record LogAppend(ConversationRecord Conversation, EntryRecord Entry);

/// <summary>
/// Owns "append an entry to a conversation's log": the next sequence under the conversation's row lock, the previous
/// hash taken from the head on that row, the MAC with the host's current key, the insert and the head update, all in
/// the caller's transaction (<see cref="ChatStore.InTransactionAsync{T}"/>). Lifecycle, messaging, administrator joins
/// and host notices all append through it, so the chain has one author.
/// </summary>
internal sealed class ConversationLog(ChatStore store, ChatLogKeys keys)
{
    /// <summary>
    /// Locks the conversation and takes its next sequence, lets <paramref name="guard"/> check the locked row (throwing
    /// refuses the append and rolls the transaction back) and complete the draft, then appends it. Returns null when
    /// the conversation does not exist. A second append to the same conversation in one transaction continues from
    /// the head the first one left.
    /// </summary>
    public async Task<LogAppend?> AppendAsync(
        Guid conversationId, EntryDraft draft, Func<ConversationRecord, EntryDraft, EntryDraft>? guard, CancellationToken ct)
    {
        ConversationRecord? locked;
        if (store.Locked(conversationId) is { } already && IsTracked(already))
        {
            // Already locked and appended to in this transaction: the pending head is the truth, not the database's.
            locked = already;
            locked.LastSequence++;
            store.Db.Entry(locked).Property(c => c.LastSequence).IsModified = true;
        }
        else
        {
            locked = await store.ReserveSequenceAsync(conversationId, ct).ConfigureAwait(false);
            if (locked is null)
            {
                return null;
            }
        }

        var final = guard is null ? draft : guard(locked, draft);
        return new LogAppend(locked, Write(locked, final));
    }

    /// <summary>
    /// Appends to a conversation whose row the caller locked and whose sequence it already moved to the new entry's
    /// (a transition's version-checked UPDATE does both); <paramref name="locked"/> is the row as read after it.
    /// </summary>
    public EntryRecord AppendReserved(ConversationRecord locked, EntryDraft draft)
    {
        store.Remember(locked);
        return Write(locked, draft);
    }

    /// <summary>Starts the log of a conversation being created in this transaction (its first entry, sequence 1).</summary>
    public EntryRecord AppendFirst(ConversationRecord created, EntryDraft draft)
    {
        created.LastSequence = 1;
        created.LastHash = "";
        return Write(created, draft);
    }

    /// <summary>Gets the hash the entry at <paramref name="sequence"/> links to, given the head before it.</summary>
    internal static string PreviousOf(long sequence, string headHash)
    {
        if (sequence <= 1)
        {
            return EntryHasher.Genesis;
        }

        return headHash.Length == EntryHasher.Genesis.Length
            ? headHash
            : throw new InvalidOperationException(
                "This conversation's log has no head hash (it was carried over and not yet re-anchored); start the host once so "
                + "Marketplace.Chat re-anchors carried-over logs before anything is appended.");
    }

    /// <summary>
    /// Makes the record of <paramref name="draft"/> at <paramref name="sequence"/>, linked to the head before it and
    /// MAC'd with the current key; pure, so the EF append and the group commit's batch link entries alike.
    /// </summary>
    internal static EntryRecord Link(EntryDraft draft, Guid conversationId, long sequence, string headHash, ChatLogKeys keys)
    {
        var entry = new EntryRecord
        {
            Id = draft.Id,
            ConversationId = conversationId,
            Sequence = sequence,
            Kind = draft.Kind,
            SystemCode = draft.SystemCode,
            SenderId = draft.SenderId,
            SenderRole = draft.SenderRole,
            Text = draft.Text,
            TargetId = draft.TargetId,
            TargetSequence = draft.TargetSequence,
            AttachmentId = draft.AttachmentId,
            AttachmentSha256 = draft.AttachmentSha256,
            Parameters = draft.Parameters,
            EventId = draft.EventId,
            CreatedAt = EntryHasher.Normalize(draft.CreatedAt),
            KeyId = keys.CurrentId,
            PreviousHash = PreviousOf(sequence, headHash),
        };
        entry.Hash = EntryHasher.Compute(keys.Current, entry);
        return entry;
    }

    private EntryRecord Write(ConversationRecord head, EntryDraft draft)
    {
        var entry = Link(draft, head.Id, head.LastSequence, head.LastHash, keys);
        store.Db.Set<EntryRecord>().Add(entry);

        // The head moves in the same batch as the insert (no extra round trip); the row is locked, so the version the
        // UPDATE checks is the one read under the lock.
        head.LastHash = entry.Hash;
        var tracked = store.Db.Entry(head);
        if (tracked.State == EntityState.Detached)
        {
            tracked.State = EntityState.Unchanged;
        }

        if (tracked.State != EntityState.Added)
        {
            tracked.Property(c => c.LastHash).IsModified = true;
        }

        return entry;
    }

    private bool IsTracked(ConversationRecord conversation) => store.Db.Entry(conversation).State != EntityState.Detached;
}
